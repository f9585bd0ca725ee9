# mendctl's user and token commands against a real store file.
# -DMENDCTL=path -DMAKE_STORE=path -DWORK=scratch dir
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
set(DB "${WORK}/mend.db")

# run(<expected exit code> <out var> <stdin file or "-"> args...)
function(run expected out input)
  if(input STREQUAL "-")
    set(input "${WORK}/empty")
    file(WRITE "${input}" "")
  endif()
  execute_process(COMMAND ${MENDCTL} ${ARGN} INPUT_FILE "${input}" RESULT_VARIABLE rc
                  OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr TIMEOUT 60)
  if(NOT rc EQUAL expected)
    message(FATAL_ERROR "mendctl ${ARGN}: exit ${rc}, expected ${expected}\nstdout: ${stdout}\nstderr: ${stderr}")
  endif()
  set(${out} "${stdout}${stderr}" PARENT_SCOPE)
endfunction()

function(expect_match text regex)
  if(NOT text MATCHES "${regex}")
    message(FATAL_ERROR "expected /${regex}/ in:\n${text}")
  endif()
endfunction()

# No store yet: a clear refusal, and nothing created.
run(1 out - user list --store "${DB}")
expect_match("${out}" "no store there yet")
if(EXISTS "${DB}")
  message(FATAL_ERROR "mendctl created a store")
endif()

execute_process(COMMAND ${MAKE_STORE} "${DB}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cannot make a store")
endif()

# A fresh store has no account.
run(0 out - user list --store "${DB}")
if(NOT out STREQUAL "")
  message(FATAL_ERROR "a fresh store lists accounts: ${out}")
endif()

# The PIN never comes on the command line.
run(2 out - user add --name Ana --role manager --pin 583920 --store "${DB}")
expect_match("${out}" "unknown option --pin")

# Typed twice on stdin.
file(WRITE "${WORK}/pin_twice" "583920\n583920\n")
run(0 out "${WORK}/pin_twice" user add --name Ana --role manager --store "${DB}")
expect_match("${out}" "user 1 Ana \\(manager\\) added")

file(WRITE "${WORK}/pin_differs" "583920\n583921\n")
run(1 out "${WORK}/pin_differs" user add --name Bo --role staff --store "${DB}")
expect_match("${out}" "differ")

file(WRITE "${WORK}/weak" "123456\n")
run(1 out - user add --name Bo --role staff --pin-file "${WORK}/weak" --store "${DB}")
expect_match("${out}" "too easy to guess")

file(WRITE "${WORK}/good" "470291\n")
run(1 out - user add --name ana --role staff --pin-file "${WORK}/good" --store "${DB}")
expect_match("${out}" "name_taken")
run(2 out - user add --name Bo --role integration --pin-file "${WORK}/good" --store "${DB}")
run(0 out - user add --name Bo --role staff --pin-file "${WORK}/good" --store "${DB}")

run(0 out - user list --store "${DB}")
expect_match("${out}" "1\tAna\tmanager\tactive")
expect_match("${out}" "2\tBo\tstaff\tactive\t[0-9T:.-]+Z\tmendctl:")

run(0 out - user disable Bo --store "${DB}")
run(0 out - user list --store "${DB}")
expect_match("${out}" "2\tBo\tstaff\tdisabled")

# Tokens: the secret once on stdout, then only its id and label.
execute_process(COMMAND ${MENDCTL} token create --label pos --store "${DB}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE secret ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT secret MATCHES "^mend_[A-Za-z0-9_-]+\n$")
  message(FATAL_ERROR "token create: ${rc} ${secret} ${err}")
endif()
string(STRIP "${secret}" secret)
run(0 out - token list --store "${DB}")
expect_match("${out}" "1\tintegration\tpos\tactive")
string(FIND "${out}" "${secret}" at)
if(NOT at EQUAL -1)
  message(FATAL_ERROR "token list shows the secret")
endif()
run(0 out - token revoke 1 --store "${DB}")
run(1 out - token revoke 1 --store "${DB}")
run(2 out - token revoke x --store "${DB}")
run(0 out - token list --store "${DB}")
expect_match("${out}" "1\tintegration\tpos\trevoked")

# The secret is nowhere in the file (only its hash is).
file(READ "${DB}" bytes HEX)
string(HEX "${secret}" secret_hex)
string(FIND "${bytes}" "${secret_hex}" at)
if(NOT at EQUAL -1)
  message(FATAL_ERROR "the token's secret is in the store file")
endif()

# --config: the store path comes from the config file.
file(WRITE "${WORK}/mend.toml" "[venue]\nid = \"test\"\n[store]\npath = \"${DB}\"\n")
run(0 out - user list --config "${WORK}/mend.toml")
expect_match("${out}" "Ana")
