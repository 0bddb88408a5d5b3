# Runs the programs of a consumer build (tests/consumer/project):
#   - embed_{static,shared,default}: the C++ embedding example, self-test and threads;
#   - score_c_{static,shared}: the C API example on the bundled example chats,
#     byte-identical to `chatqa score`;
#   - each linked as it should be: libchatqa.so.N for shared, nothing for static.
#   cmake -DBUILD=dir -DSOURCE_DIR=repo -DCHATQA=chatqa-cli -DDEFAULT=shared|static
#         -DSONAME=libchatqa.so.2 -DWORK=scratch -P run_consumer.cmake
set(data ${SOURCE_DIR}/tests/data/ruletest)
set(examples
    "rules/zh-CN/online-chat.json|examples/chats/zh-CN/online.jsonl"
    "rules/zh-CN/hotline.json|examples/chats/zh-CN/hotline.jsonl"
    "rules/en-US/support.json|examples/chats/en-US/support.jsonl")
file(MAKE_DIRECTORY ${WORK})

function(check_linked exe want_shared)
  execute_process(COMMAND readelf -d ${BUILD}/${exe} OUTPUT_VARIABLE dyn RESULT_VARIABLE code)
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "readelf -d ${exe} failed")
  endif()
  string(FIND "${dyn}" "[${SONAME}]" at)
  if(want_shared AND at EQUAL -1)
    message(FATAL_ERROR "${exe} should need ${SONAME}:\n${dyn}")
  elseif(NOT want_shared AND NOT at EQUAL -1)
    message(FATAL_ERROR "${exe} should be linked statically, but needs ${SONAME}")
  endif()
endfunction()

foreach(kind static shared default)
  execute_process(COMMAND ${BUILD}/embed_${kind} ${data}/good/mini.json ${data}/embed-sessions.jsonl --threads 4 --self-test
                  RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT code EQUAL 0 OR NOT err MATCHES "self-test: 6 cases of ruletest-mini pass"
     OR NOT err MATCHES "scored 40 sessions \\(1 input errors\\) with ruletest-mini 1.0.0 on 4 threads; reports identical")
    message(FATAL_ERROR "embed_${kind}: exit ${code}\n${err}")
  endif()
endforeach()
check_linked(embed_static OFF)
check_linked(embed_shared ON)
check_linked(score_c_static OFF)
check_linked(score_c_shared ON)
if(DEFAULT STREQUAL "shared")
  check_linked(embed_default ON)
else()
  check_linked(embed_default OFF)
endif()

foreach(pair IN LISTS examples)
  string(REPLACE "|" ";" pair "${pair}")
  list(GET pair 0 rules)
  list(GET pair 1 chats)
  execute_process(COMMAND ${CHATQA} score -r ${rules} ${chats} WORKING_DIRECTORY ${SOURCE_DIR}
                  OUTPUT_VARIABLE expected RESULT_VARIABLE code)
  if(NOT code EQUAL 0 OR expected STREQUAL "")
    message(FATAL_ERROR "chatqa score -r ${rules} ${chats}: exit ${code}")
  endif()
  foreach(kind static shared)
    execute_process(COMMAND ${BUILD}/score_c_${kind} ${rules} ${chats} WORKING_DIRECTORY ${SOURCE_DIR}
                    OUTPUT_VARIABLE got RESULT_VARIABLE code ERROR_VARIABLE err)
    if(NOT code EQUAL 0 OR NOT got STREQUAL expected)
      get_filename_component(name ${chats} NAME_WE)
      file(WRITE ${WORK}/${name}.${kind}.got "${got}")
      file(WRITE ${WORK}/${name}.expected "${expected}")
      message(FATAL_ERROR "score_c_${kind} ${rules} ${chats}: exit ${code} ${err}; output differs from chatqa score "
                          "(see ${WORK}/${name}.${kind}.got)")
    endif()
  endforeach()
endforeach()
message(STATUS "consumer programs: embed and C API examples pass, reports byte-identical to chatqa score")
