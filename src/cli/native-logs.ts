/**
 * Native TensorFlow's C++ log reads its level from the environment once, when the library loads:
 * set here, before any command loads a backend (and inherited by the engine process `serve` forks).
 * Quiet (warnings and errors only) unless --verbose. The oneDNN notice is printed through absl
 * before TensorFlow's own logging starts, so no log level reaches it (nor TF_ENABLE_ONEDNN_OPTS=0
 * without turning oneDNN's kernels off): those lines are filtered out of stderr instead
 * (nativeLineFilter below, run by filtered-stderr.ts).
 */
export function quietNativeLogs(verbose: boolean, env: NodeJS.ProcessEnv = process.env): void {
  if (verbose) {
    env.TF_CPP_MIN_LOG_LEVEL = '0';
    env.LATENTSCAPE_VERBOSE = '1';
  } else {
    env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  }
}

/**
 * The start-up lines no log level reaches: absl's notice that it is not initialised yet, and the
 * oneDNN notice it then prints (libtensorflow's port.cc, while the library loads).
 */
const ABSL_NOTICE = 'WARNING: All log messages before absl::InitializeLog()';
const UNLEVELLED_LINES = [
  /^WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR\r?$/,
  /^[IW]\d{4} [\d:. ]+\d+ port\.cc:\d+\] oneDNN /,
];

export function isNativeStartUpLine(line: string): boolean {
  return UNLEVELLED_LINES.some((re) => re.test(line));
}

/**
 * Passes text on without those lines. Whole lines are judged; the text after the last newline (a
 * progress bar redrawn with \r) is passed on at once unless it could still become one of them.
 */
export function nativeLineFilter(write: (text: string) => void): { push(chunk: string): void; end(): void } {
  let held = '';
  // Held until its newline: text that may be the start of one of them (never a bar redrawn with \r).
  const couldStart = (partial: string): boolean =>
    partial !== '' &&
    !partial.includes('\r') &&
    (ABSL_NOTICE.startsWith(partial) || partial.startsWith(ABSL_NOTICE) || /^[IW]\d{0,4}$|^[IW]\d{4} /.test(partial));
  return {
    push(chunk) {
      const text = held + chunk;
      const lines = text.split('\n');
      const partial = lines.pop()!;
      const kept = lines.filter((line) => !isNativeStartUpLine(line));
      let out = kept.length ? kept.join('\n') + '\n' : '';
      held = '';
      if (couldStart(partial)) held = partial;
      else out += partial;
      if (out) write(out);
    },
    end() {
      if (held && !isNativeStartUpLine(held)) write(held);
      held = '';
    },
  };
}
