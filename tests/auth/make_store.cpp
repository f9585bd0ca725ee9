// Creates a fresh, empty Mend store at argv[1], as mendd's first start does; the mendctl test
// then works on it.
#include <iostream>

#include "adapters/store/store.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: mend_auth_make_store PATH\n";
    return 2;
  }
  try {
    mend::Store::open(mend::StoreOptions{argv[1], /*create=*/true});
  } catch (const std::exception& e) {
    std::cerr << e.what() << '\n';
    return 1;
  }
  return 0;
}
