# Unit tests: one program each, linked against the core.
foreach(t arena router http conf)
  add_executable(test_${t} tests/unit/test_${t}.c)
  target_link_libraries(test_${t} zmcore)
  add_test(NAME unit.${t} COMMAND test_${t})
endforeach()
