# Builds the C API example with pkg-config against an installed copy that has
# been moved elsewhere (chatqa.pc finds its prefix from its own place), once
# linked with libchatqa.so and once with libchatqa.a (`pkg-config --static`),
# and checks each scores the example chats as `chatqa score` does.
#   cmake -DPREFIX=installed -DLIBDIR=lib -DWORK=scratch -DSOURCE_DIR=repo -DCHATQA=cli
#         -DCC=cc -DSONAME=libchatqa.so.2 -P pkg_config.cmake
find_program(PKG_CONFIG pkg-config REQUIRED)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
file(COPY ${PREFIX}/ DESTINATION ${WORK}/moved)
set(moved ${WORK}/moved)
set(ENV{PKG_CONFIG_PATH} ${moved}/${LIBDIR}/pkgconfig)
set(ENV{PKG_CONFIG_LIBDIR} "")

function(pc out)
  execute_process(COMMAND ${PKG_CONFIG} ${ARGN} chatqa OUTPUT_VARIABLE text RESULT_VARIABLE code
                  ERROR_VARIABLE err OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "pkg-config ${ARGN} chatqa: ${err}")
  endif()
  separate_arguments(text UNIX_COMMAND "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

pc(includedir --variable=includedir)
get_filename_component(includedir "${includedir}" REALPATH)
get_filename_component(want "${moved}/include" REALPATH)
if(NOT includedir STREQUAL want)
  message(FATAL_ERROR "chatqa.pc does not follow the moved prefix: includedir ${includedir}, expected ${want}")
endif()

pc(cflags --cflags)
pc(libs --libs)
pc(static_libs --static --libs)
# The static link names the archive itself: with both libchatqa.so and
# libchatqa.a in libdir, -lchatqa would take the shared one.
list(TRANSFORM static_libs REPLACE "^-lchatqa$" "-l:libchatqa.a")

set(example ${SOURCE_DIR}/examples/c/chatqa_score.c)
execute_process(COMMAND ${CC} -std=c99 -Wall -Wextra -Werror ${cflags} ${example} -o ${WORK}/score_shared ${libs}
                        -Wl,-rpath,${moved}/${LIBDIR} RESULT_VARIABLE code ERROR_VARIABLE err)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "shared link with `pkg-config --libs chatqa` failed:\n${err}")
endif()
execute_process(COMMAND ${CC} -std=c99 -Wall -Wextra -Werror ${cflags} ${example} -o ${WORK}/score_static ${static_libs}
                RESULT_VARIABLE code ERROR_VARIABLE err)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "static link with `pkg-config --static --libs chatqa` failed:\n${err}")
endif()

execute_process(COMMAND readelf -d ${WORK}/score_shared OUTPUT_VARIABLE dyn)
if(NOT dyn MATCHES "\\[${SONAME}\\]")
  message(FATAL_ERROR "score_shared does not need ${SONAME}")
endif()
execute_process(COMMAND readelf -d ${WORK}/score_static OUTPUT_VARIABLE dyn)
if(dyn MATCHES "libchatqa")
  message(FATAL_ERROR "score_static needs libchatqa.so")
endif()

set(rules rules/zh-CN/online-chat.json)
set(chats examples/chats/zh-CN/online.jsonl)
execute_process(COMMAND ${CHATQA} score -r ${rules} ${chats} WORKING_DIRECTORY ${SOURCE_DIR} OUTPUT_VARIABLE expected)
foreach(kind shared static)
  execute_process(COMMAND ${WORK}/score_${kind} ${rules} ${chats} WORKING_DIRECTORY ${SOURCE_DIR}
                  OUTPUT_VARIABLE got RESULT_VARIABLE code ERROR_VARIABLE err)
  if(NOT code EQUAL 0 OR NOT got STREQUAL expected)
    message(FATAL_ERROR "score_${kind}: exit ${code} ${err}; output differs from chatqa score")
  endif()
endforeach()
message(STATUS "pkg-config: shared and static builds from a moved prefix score as chatqa score does")
