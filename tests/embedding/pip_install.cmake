# `pip install` of the Python package with no package index (offline), into
# a scratch folder; then the package's tests run from that installed copy.
#   cmake -DPYTHON=python3 -DSOURCE_DIR=repo -DTARGET=scratch -P pip_install.cmake
# (CHATQA_LIBRARY and CHATQA_CLI come from the environment.)
file(REMOVE_RECURSE ${TARGET})
execute_process(COMMAND ${PYTHON} -m pip --version RESULT_VARIABLE code OUTPUT_QUIET ERROR_QUIET)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "pip is missing: install python3-pip (scripts/setup --deps)")
endif()
execute_process(COMMAND ${PYTHON} -m pip install --quiet --no-index --no-cache-dir --disable-pip-version-check
                        --target ${TARGET} ${SOURCE_DIR}/python
                RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code EQUAL 0 OR NOT EXISTS ${TARGET}/chatqa/__init__.py)
  message(FATAL_ERROR "pip install --no-index ./python failed (exit ${code}):\n${out}${err}")
endif()
set(ENV{PYTHONPATH} ${TARGET})
execute_process(COMMAND ${PYTHON} -c "import chatqa, os; assert chatqa.__file__.startswith(os.environ['PYTHONPATH']), chatqa.__file__"
                RESULT_VARIABLE code ERROR_VARIABLE err)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "the installed package is not the one imported:\n${err}")
endif()
execute_process(COMMAND ${PYTHON} -m unittest discover -s ${SOURCE_DIR}/python/tests
                RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "the installed package's tests fail:\n${out}${err}")
endif()
message(STATUS "pip install --no-index ./python: installed; its tests pass")
