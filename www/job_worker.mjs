// The page's worker (src/app/worker.rs): the page posts {glue, module}, the URL of its JS glue
// and its compiled WebAssembly.Module; this imports the glue and starts the same binary on
// that module (no second download or compile). The binary, finding no window, answers
// 'Ready' and takes the page's jobs. Whatever stops it without a reply (a failed start, an
// uncaught error) is answered as a failure, so the page never waits on a dead worker.
const failed = (message) => self.postMessage({
  json: JSON.stringify({ Failed: { cancelled: false, message } }),
  parts: [],
});
const stopped = (what) => failed(`the page's worker stopped: ${what}`);
self.addEventListener('error', (e) => stopped(e.message || 'an uncaught error'));
self.addEventListener('unhandledrejection', (e) => stopped(e.reason?.message ?? String(e.reason)));
self.onmessage = async (ev) => {
  self.onmessage = null;
  try {
    const glue = await import(ev.data.glue);
    await glue.default({ module_or_path: ev.data.module });
  } catch (e) {
    failed(`${e}`);
  }
};
