// Preloaded into the benchmark's server children (`node --import`): SIGTERM/SIGINT end the process through
// process.exit, so `--cpu-prof` gets to write its profile (the default signal handling kills without it).
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));
