# Warnings every target gets (see shared C-STYLE: curl's PickyWarnings).
add_compile_options(
  -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
  -Wformat=2 -Wvla -Wpointer-arith -Wcast-qual -Wundef
)
if(TETRAD_WERROR)
  add_compile_options(-Werror)
endif()
if(TETRAD_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
elseif(CMAKE_BUILD_TYPE MATCHES "Rel")
  add_compile_options(-D_FORTIFY_SOURCE=2 -fstack-protector-strong)
endif()
# C11 without extensions hides POSIX (clock_gettime, fsync, …): ask for it.
add_compile_definitions(_GNU_SOURCE)
