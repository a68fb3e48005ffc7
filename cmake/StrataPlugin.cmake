# strata_add_plugin(NAME source...) builds the plugin NAME as strata_NAME.so, a
# module with hidden visibility linked to the SDK. In Strata's own build it lands
# in the build tree's plugin folder and is installed with the program; out of tree
# (find_package(strata)) install it where you like and point --plugin-dir or
# STRATA_PLUGIN_PATH at it.
function(strata_add_plugin name)
  set(target strata_${name})
  add_library(${target} MODULE ${ARGN})
  if(TARGET strata_sdk)
    target_link_libraries(${target} PRIVATE strata_sdk)
  else()
    target_link_libraries(${target} PRIVATE strata::sdk)
  endif()
  # A plugin built without optimisation runs its velocity loops about ten times slower:
  # without a build type (a plain `cmake -S . -B build`) it is built with -O2.
  if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
    target_compile_options(${target} PRIVATE -O2)
    message(STATUS "strata_add_plugin(${name}): no CMAKE_BUILD_TYPE, so built with -O2 (set CMAKE_BUILD_TYPE to choose)")
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(DEFINED STRATA_PLUGIN_BUILD_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${STRATA_PLUGIN_BUILD_DIR})
    install(TARGETS ${target} LIBRARY DESTINATION ${STRATA_PLUGIN_INSTALL_DIR})
  endif()
endfunction()
