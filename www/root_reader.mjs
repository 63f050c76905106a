// The page's side of the ROOT reader (bundled into the page by wasm-bindgen; JSROOT itself is
// not: it loads in root_worker.mjs when a .root file is opened). Each call runs in a fresh
// worker that is terminated when it answers, fails, is cancelled, or runs past its time limit.

function run(message, timeoutMs, cancelled) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('root_worker.mjs', document.baseURI), { type: 'module' });
    const stop = (f, v) => { clearTimeout(timer); clearInterval(poll); worker.terminate(); f(v); };
    const timer = setTimeout(
      () => stop(reject, `the ROOT reader did not finish within ${timeoutMs / 1000} s (a malformed or very large file?)`),
      timeoutMs);
    const poll = setInterval(() => { if (cancelled()) stop(reject, 'cancelled'); }, 100);
    worker.onmessage = (ev) => ev.data.err !== undefined ? stop(reject, ev.data.err) : stop(resolve, ev.data.ok);
    worker.onerror = (ev) => { ev.preventDefault(); stop(reject, `the ROOT reader could not start: ${ev.message || 'no JSROOT (run scripts/install)'}`); };
    worker.postMessage(message);
  });
}

// The file's TTrees: [{name, entries, branches: [{name, type, numeric, jagged}]}].
export function rootList(bytes, timeoutMs, cancelled) {
  return run({ op: 'list', bytes }, timeoutMs, cancelled);
}

// The branches' values: [{name, values: Float64Array, counts: Int32Array | null}]; counts are
// the objects per event of a jagged branch.
export function rootRead(bytes, tree, branches, timeoutMs, cancelled) {
  return run({ op: 'read', bytes, tree, branches }, timeoutMs, cancelled);
}
