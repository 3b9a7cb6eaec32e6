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
 * While the engine looks for a webgpu adapter, Dawn reports each GPU driver it cannot use as a block
 * ("Warning: Vulkan … required." / " - While initializing adapter (backend=…)" / "    at …" / a blank
 * line), and the Vulkan loader complains of a missing XDG_RUNTIME_DIR. webgpu's fallback reason says
 * what matters; these lines are dropped too.
 */
const DAWN_BLOCK_START = /^(Warning|Error): /;
const DAWN_ADAPTER_LINE = /^ - While initializing adapter \(backend=BackendType::\w+\)\r?$/;
const DAWN_TRACE_LINE = /^ {4}at \S+ \(.*\)\r?$/;
const VULKAN_XDG_LINE = /^error: XDG_RUNTIME_DIR is invalid or not set in the environment\.\r?$/;

/** Judges whole lines one at a time: Dawn's blocks need the line after a "Warning:" to be recognised. */
function dawnBlockJudge(): { line(line: string): string[]; flush(): string[] } {
  let held: string | null = null;
  let inBlock = false;
  return {
    line(line) {
      if (held !== null) {
        const header = held;
        held = null;
        if (DAWN_ADAPTER_LINE.test(line)) {
          inBlock = true;
          return [];
        }
        return [header, ...this.line(line)];
      }
      if (inBlock) {
        if (DAWN_TRACE_LINE.test(line) || DAWN_ADAPTER_LINE.test(line)) return [];
        inBlock = false;
        if (line.trim() === '') return [];
      }
      if (VULKAN_XDG_LINE.test(line)) return [];
      if (DAWN_BLOCK_START.test(line)) {
        held = line;
        return [];
      }
      return [line];
    },
    flush() {
      const rest = held === null ? [] : [held];
      held = null;
      return rest;
    },
  };
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
    (ABSL_NOTICE.startsWith(partial) ||
      partial.startsWith(ABSL_NOTICE) ||
      /^[IW]\d{0,4}$|^[IW]\d{4} /.test(partial) ||
      ['error: XDG_RUNTIME_DIR', 'Warning: ', 'Error: ', ' - While initializing adapter', '    at '].some(
        (p) => p.startsWith(partial) || partial.startsWith(p),
      ));
  const dawn = dawnBlockJudge();
  return {
    push(chunk) {
      const text = held + chunk;
      const lines = text.split('\n');
      const partial = lines.pop()!;
      const kept = lines.filter((line) => !isNativeStartUpLine(line)).flatMap((line) => dawn.line(line));
      let out = kept.length ? kept.join('\n') + '\n' : '';
      held = '';
      if (couldStart(partial)) held = partial;
      else out += partial;
      if (out) write(out);
    },
    end() {
      const rest = dawn.flush();
      if (rest.length) write(rest.join('\n') + '\n');
      if (held && !isNativeStartUpLine(held)) write(held);
      held = '';
    },
  };
}
