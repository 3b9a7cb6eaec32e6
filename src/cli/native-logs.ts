/**
 * Native TensorFlow's C++ log reads its level from the environment once, when the library loads:
 * set here, before any command loads a backend (and inherited by the engine process `serve` forks).
 * Quiet (warnings and errors only) unless --verbose. The oneDNN notice is printed through absl
 * before TensorFlow's own logging starts, so no log level reaches it; only TF_ENABLE_ONEDNN_OPTS=0,
 * which also turns oneDNN's kernels off, removes it — left to the user (README).
 */
export function quietNativeLogs(verbose: boolean, env: NodeJS.ProcessEnv = process.env): void {
  if (verbose) {
    env.TF_CPP_MIN_LOG_LEVEL = '0';
    env.LATENTSCAPE_VERBOSE = '1';
  } else {
    env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  }
}
