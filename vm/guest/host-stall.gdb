# Stops the nested QEMU's virtio-gpu host from answering its control queue
# ($block = 1) or lets it answer again ($block = 0): QEMU's own gl_block of
# console 0 (virtio-gpu's scanout) sets or clears the device's
# renderer_blocked, which leaves every command queued and unanswered while
# the main loop, the console and the vCPUs go on; the last unblock answers
# what waited. Run by vm/guest/init (host_stall) in the first guest against
# the nested QEMU, with gdb -batch -ex 'set $block = N'.
# Exit status: 0 done; 3 the main thread holds the BQL (try again);
# 4 no console 0; 5 already in that state (an unblock then would abort
# QEMU). See doc/host-stall.md.
set pagination off
set confirm off
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
if (int)(unsigned char) qemu_console_is_gl_blocked($con) == $block
  detach
  quit 5
end
call (void) bql_lock_impl(0, 0)
call (void) qemu_console_hw_gl_block($con, $block)
call (void) bql_unlock()
printf "console 0 blocked: %d\n", (int)(unsigned char) qemu_console_is_gl_blocked($con)
detach
quit 0
