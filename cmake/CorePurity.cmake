# The core is pure (no sockets, files, clocks or threads): fail the configure step if
# anything links an I/O library into mend_core, and register a test that scans its sources.
get_target_property(_mend_core_links mend_core LINK_LIBRARIES)
if(_mend_core_links)
  foreach(_lib IN LISTS _mend_core_links)
    if(_lib MATCHES "(Boost|boost|asio|beast|paho|Paho|sqlite|SQLite|spdlog|ssl|crypto|sodium|systemd|Threads|pthread|tomlplusplus::)")
      message(FATAL_ERROR "mend_core must not link '${_lib}': the core does no I/O (see docs/architecture)")
    endif()
  endforeach()
endif()

if(MEND_BUILD_TESTS)
  add_test(NAME core_purity
           COMMAND ${CMAKE_COMMAND} -DCORE_DIR=${PROJECT_SOURCE_DIR}/core
                   -P ${PROJECT_SOURCE_DIR}/cmake/check_core_purity.cmake)
endif()
