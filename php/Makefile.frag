# The swirl core, compiled as position-independent objects into a static
# archive that swirl.so links. Objects and dependency files stay under
# php/libswirl/, never in the core's source tree.
SWIRL_CORE_OBJS = $(patsubst %.c,libswirl/%.o,$(SWIRL_CORE_SOURCES))
SWIRL_CORE_CFLAGS = -std=gnu11 -D_GNU_SOURCE -fPIC -fvisibility=hidden -pthread \
	-Wall -Wextra -Wno-unused-parameter -I$(SWIRL_ROOT)/include -I$(SWIRL_ROOT)/src \
	$(SWIRL_MARIADB_CFLAGS)

libswirl/%.o: $(SWIRL_ROOT)/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_CLEAN) $(SWIRL_CORE_CFLAGS) $(EXTRA_CFLAGS) -MMD -MP -c $< -o $@

libswirl/libswirl.a: $(SWIRL_CORE_OBJS)
	rm -f $@
	ar rcs $@ $(SWIRL_CORE_OBJS)

-include $(SWIRL_CORE_OBJS:.o=.d)
