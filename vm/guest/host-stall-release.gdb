# Lets the nested QEMU's virtio-gpu host answer its control queue again
# (see host-stall-block.gdb): the last gl_unblock answers what waited.
# Exit status: 0 released; 3 the main thread holds the BQL (try again);
# 4 no console 0; 5 not blocked (an unblock then would abort QEMU).
set pagination off
set confirm off
set debuginfod enabled off
set auto-solib-add off
set scheduler-locking off
thread 1
if (int)(unsigned char) bql_locked() != 0
  detach
  quit 3
end
set $con = (void *) qemu_console_lookup_by_index(0)
if $con == 0
  detach
  quit 4
end
if (int)(unsigned char) qemu_console_is_gl_blocked($con) == 0
  detach
  quit 5
end
call (void) bql_lock_impl(0, 0)
call (void) qemu_console_hw_gl_block($con, 0)
call (void) bql_unlock()
printf "console 0 blocked: %d\n", (int)(unsigned char) qemu_console_is_gl_blocked($con)
detach
quit 0
