# Whole-binary checks of mendd's and mendctl's command lines and config handling.
# Run by ctest as: cmake -DMENDD=... -DMENDCTL=... -DSAMPLE=... -DFIXTURES=... -DWORK=... -P this
foreach(_var MENDD MENDCTL SAMPLE FIXTURES WORK)
  if(NOT DEFINED ${_var})
    message(FATAL_ERROR "mendd_cli_test: -D${_var}=... is required")
  endif()
endforeach()
foreach(_exe "${MENDD}" "${MENDCTL}")
  if(NOT EXISTS "${_exe}")
    message(FATAL_ERROR "mendd_cli_test: ${_exe} does not exist (not built?)")
  endif()
endforeach()
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")


# run(<name> <expected exit code> COMMAND <args...>): runs it and leaves its exit code, stdout
# and stderr in _rc, _out, _err. A wrong exit code is a failure (reported with the output).
function(run name expected)
  cmake_parse_arguments(PARSE_ARGV 2 _arg "" "" "COMMAND")
  execute_process(COMMAND ${_arg_COMMAND} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err TIMEOUT 20)
  set(_rc "${rc}" PARENT_SCOPE)
  set(_out "${out}" PARENT_SCOPE)
  set(_err "${err}" PARENT_SCOPE)
  set(_name "${name}" PARENT_SCOPE)
  if(NOT "${rc}" STREQUAL "${expected}")
    message(SEND_ERROR "${name}: exit ${rc}, expected ${expected}\n"
                       "  command: ${_arg_COMMAND}\n  stdout: ${out}\n  stderr: ${err}")
  endif()
endfunction()

# expect(<stdout|stderr> <regex>): the last run's output matches.
function(expect stream regex)
  if(stream STREQUAL "stdout")
    set(text "${_out}")
  else()
    set(text "${_err}")
  endif()
  if(NOT text MATCHES "${regex}")
    message(SEND_ERROR "${_name}: ${stream} does not match '${regex}':\n${text}")
  endif()
endfunction()

# ---- mendd --check-config -----------------------------------------------------------------
run("check sample" 0 COMMAND "${MENDD}" --check-config "${SAMPLE}")
expect(stdout "mend\\.sample\\.toml: ok")

run("check good fixture" 0 COMMAND "${MENDD}" --check-config "${FIXTURES}/good.toml")
expect(stdout "good\\.toml: ok\n$")

run("check --check-config=FILE" 0 COMMAND "${MENDD}" "--check-config=${FIXTURES}/good.toml")

run("unknown key" 1 COMMAND "${MENDD}" --check-config "${FIXTURES}/unknown_key.toml")
expect(stderr "unknown_key\\.toml:9:1: detect\\.bil_slow: unknown key")
expect(stderr "did you mean \"bill_slow\"")

run("bad duration" 1 COMMAND "${MENDD}" --check-config "${FIXTURES}/bad_duration.toml")
expect(stderr "bad_duration\\.toml:6:1: detect\\.table_no_order: expected a duration")
expect(stderr "bad_duration\\.toml:7:1: detect\\.bill_slow: expected a duration such as \"8m\", got \"eight\"")

run("multiple errors" 1 COMMAND "${MENDD}" --check-config "${FIXTURES}/multiple_errors.toml")
string(REGEX MATCHALL "multiple_errors\\.toml:[0-9]+:[0-9]+: [^\n]*\n" _lines "${_err}")
list(LENGTH _lines _count)
if(NOT _count EQUAL 3)
  message(SEND_ERROR "multiple errors: expected 3 error lines, got ${_count}:\n${_err}")
endif()
expect(stderr "^[^\n]*:3:1: venue\\.id:[^\n]*\n[^\n]*:6:1: mqtt\\.port:[^\n]*\n[^\n]*:10:1: device\\[0\\]\\.kind:")
if(NOT _out STREQUAL "")
  message(SEND_ERROR "multiple errors: nothing belongs on stdout, got: ${_out}")
endif()

run("truncated" 1 COMMAND "${MENDD}" --check-config "${FIXTURES}/truncated.toml")
expect(stderr "truncated\\.toml:5:[0-9]+: not valid TOML")

run("garbage" 1 COMMAND "${MENDD}" --check-config "${FIXTURES}/garbage.toml")
expect(stderr "garbage\\.toml:1:[0-9]+: not valid TOML")

run("missing file" 1 COMMAND "${MENDD}" --check-config "${WORK}/no-such.toml")
expect(stderr "no-such\\.toml: cannot open: No such file or directory")

run("a directory" 1 COMMAND "${MENDD}" --check-config "${WORK}")
expect(stderr "cannot read: is a directory")

# ---- mendd --print-config -----------------------------------------------------------------
run("print sample" 0 COMMAND "${MENDD}" --print-config --config "${SAMPLE}")
set(_printed "${_out}")
file(WRITE "${WORK}/printed.toml" "${_printed}")
# Defaults the sample does not set are printed too, with their descriptions.
expect(stdout "\ncommit_batch = 512\n")
expect(stdout "\ncourse_default = \"20m\"\n")
expect(stdout "# A bill asked for and not paid this long opens bill.slow\\.")

run("printed config checks" 0 COMMAND "${MENDD}" --check-config "${WORK}/printed.toml")
expect(stdout "printed\\.toml: ok")

run("print printed config" 0 COMMAND "${MENDD}" --print-config "--config=${WORK}/printed.toml")
if(NOT _out STREQUAL _printed)
  file(WRITE "${WORK}/printed2.toml" "${_out}")
  message(SEND_ERROR "print-config is not a fixed point: compare ${WORK}/printed.toml and printed2.toml")
endif()

run("print bad config" 1 COMMAND "${MENDD}" --print-config --config "${FIXTURES}/unknown_key.toml")
expect(stderr "unknown_key\\.toml:9:1: detect\\.bil_slow")

run("print without --config" 2 COMMAND "${MENDD}" --print-config)
expect(stderr "--print-config needs --config FILE")

# ---- mendd run mode -----------------------------------------------------------------------
# A good config starts the daemon proper (the live tests cover that); a bad one must stop it
# before it touches the broker or the store.
run("run with bad config" 1 COMMAND "${MENDD}" --config "${FIXTURES}/bad_duration.toml")
expect(stderr "bad_duration\\.toml:7:1: detect\\.bill_slow")

# ---- mendd command line -------------------------------------------------------------------
run("unknown option" 2 COMMAND "${MENDD}" --frobnicate)
expect(stderr "unknown option '--frobnicate'")
expect(stderr "usage: mendd")

run("stray argument" 2 COMMAND "${MENDD}" "${SAMPLE}")
expect(stderr "unexpected argument")

run("--check-config without FILE" 2 COMMAND "${MENDD}" --check-config)
expect(stderr "--check-config needs a FILE")

run("check and print together" 2 COMMAND "${MENDD}" --check-config "${SAMPLE}" --print-config --config "${SAMPLE}")

run("version" 0 COMMAND "${MENDD}" --version)
expect(stdout "^mendd [0-9]+\\.[0-9]+\\.[0-9]+\n$")

run("help" 0 COMMAND "${MENDD}" --help)
expect(stdout "--check-config FILE")
expect(stdout "--print-config")

# ---- mendctl ------------------------------------------------------------------------------
run("mendctl check-config sample" 0 COMMAND "${MENDCTL}" check-config "${SAMPLE}")
expect(stdout "mend\\.sample\\.toml: ok")

run("mendctl check-config bad" 1 COMMAND "${MENDCTL}" check-config "${FIXTURES}/unknown_key.toml")
expect(stderr "unknown_key\\.toml:9:1: detect\\.bil_slow: unknown key")

run("mendctl version" 0 COMMAND "${MENDCTL}" version)
expect(stdout "^mendctl [0-9]+\\.[0-9]+\\.[0-9]+\n$")

run("mendctl help" 0 COMMAND "${MENDCTL}" help)
expect(stdout "check-config FILE")
expect(stdout "version")

run("mendctl no command" 2 COMMAND "${MENDCTL}")
expect(stderr "usage: mendctl")

run("mendctl unknown command" 2 COMMAND "${MENDCTL}" frobnicate)
expect(stderr "unknown command 'frobnicate'")

run("mendctl check-config without FILE" 2 COMMAND "${MENDCTL}" check-config)
