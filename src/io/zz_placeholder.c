typedef int ate_io_unused_t;
