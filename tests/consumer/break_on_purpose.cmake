# The acceptance test of rule-set tests: break an item of a shipped rule set on
# purpose (first reply limit 30 s -> 300 s) and check that `chatqa test` fails
# the cases of that item with a readable diff, while the intact copy passes.
#   cmake -DCHATQA=path/to/chatqa -DSOURCE_DIR=repo -DWORK_DIR=scratch -P break_on_purpose.cmake
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
file(COPY ${SOURCE_DIR}/rules/zh-CN ${SOURCE_DIR}/rules/lexicons DESTINATION ${WORK_DIR})
set(rules ${WORK_DIR}/zh-CN/online-chat.json)

execute_process(COMMAND ${CHATQA} test ${rules} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "the intact copy does not pass (exit ${code}):\n${out}${err}")
endif()

file(READ ${rules} text)
string(FIND "${text}" "\"id\": \"first_reply\"" item_at)
if(item_at EQUAL -1)
  message(FATAL_ERROR "online-chat.json has no item first_reply")
endif()
string(SUBSTRING "${text}" 0 ${item_at} head)
string(SUBSTRING "${text}" ${item_at} -1 tail)
string(FIND "${tail}" "\"limit_seconds\": 30," limit_at)
if(limit_at EQUAL -1)
  message(FATAL_ERROR "first_reply has no \"limit_seconds\": 30")
endif()
string(SUBSTRING "${tail}" 0 ${limit_at} before)
string(LENGTH "\"limit_seconds\": 30," skip)
math(EXPR after_at "${limit_at} + ${skip}")
string(SUBSTRING "${tail}" ${after_at} -1 after)
file(WRITE ${rules} "${head}${before}\"limit_seconds\": 300,${after}")

execute_process(COMMAND ${CHATQA} test ${rules} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code EQUAL 1)
  message(FATAL_ERROR "the broken copy should fail with exit 1, got ${code}:\n${out}${err}")
endif()
foreach(re "  FAIL   [^\n]*online-chat.tests.json:[0-9]+:[0-9]+  [^\n]+\n +- first_reply fires\n +\\+ first_reply passed\n"
           "first_reply +[0-9]+ +[0-9]+ +0 +0 +[1-9]")
  if(NOT out MATCHES "${re}")
    message(FATAL_ERROR "output does not match: ${re}\n--- output:\n${out}${err}")
  endif()
endforeach()
