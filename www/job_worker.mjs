// The page's worker (src/app/worker.rs): the page posts {glue, module}, the URL of its JS glue
// and its compiled WebAssembly.Module; this imports the glue and starts the same binary on
// that module (no second download or compile). The binary, finding no window, answers
// 'Ready' and takes the page's jobs.
self.onmessage = async (ev) => {
  self.onmessage = null;
  try {
    const glue = await import(ev.data.glue);
    await glue.default({ module_or_path: ev.data.module });
  } catch (e) {
    self.postMessage({ json: JSON.stringify({ Failed: { cancelled: false, message: `${e}` } }), parts: [] });
  }
};
