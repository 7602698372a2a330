// Preloaded with --require when the service runs under --cpu-prof. Node.js
// writes the profile only on a normal exit, and the service's shutdown hooks
// end the process by re-raising SIGTERM, so the harness sends SIGUSR2 instead.
process.once('SIGUSR2', () => process.exit(0));
