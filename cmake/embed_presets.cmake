# Writes OUT: a C++ source with the text of every DIR/*.json mapping preset
# (chatqa::detail::presets()), so --preset works wherever the binary is.
file(GLOB files ${DIR}/*.json)
list(SORT files)
set(body "// Generated from presets/*.json by cmake/embed_presets.cmake: do not edit.\n#include \"input/mapping.hpp\"\n\nnamespace chatqa::detail {\nconst std::vector<Preset>& presets() {\n  static const std::vector<Preset> all = {\n")
foreach(f ${files})
  get_filename_component(name ${f} NAME_WE)
  file(READ ${f} text)
  string(APPEND body "    {\"${name}\", R\"chatqa_preset(${text})chatqa_preset\"},\n")
endforeach()
string(APPEND body "  };\n  return all;\n}\n}  // namespace chatqa::detail\n")
file(WRITE ${OUT}.tmp "${body}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.tmp ${OUT})
