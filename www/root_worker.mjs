// Reads ROOT files for the page in a worker, with JSROOT (the ROOT team's JavaScript reader,
// npm `jsroot`, MIT; scripts/install puts the modules it needs in www/jsroot/). Loaded only
// when a .root file is opened; the page terminates the worker when it is done, cancelled or
// too slow, so a malformed file never freezes the tab.
//
// Messages in: {op: 'list', bytes} | {op: 'read', bytes, tree, branches: [names]}.
// Out: {ok: result} | {err: 'one line'}.

const modules = new URL('./jsroot/modules/', self.location.href);
let jsroot;

async function load() {
  if (!jsroot) {
    const [io, tree] = await Promise.all([
      import(new URL('io.mjs', modules).href),
      import(new URL('tree.mjs', modules).href),
    ]);
    jsroot = { io, tree };
  }
  return jsroot;
}

// Leaf types that hold numbers (TLeafB/S/I/L/F/D, their unsigned forms, TLeafO for bool,
// TLeafF16/D32 for ROOT's compressed floats).
const NUMERIC_LEAF = /^TLeaf(B|S|I|L|F|D|O|F16|D32|G)$/;

function describe(b) {
  const leaf = b.fLeaves?.arr?.[0];
  const type = leaf?._typename ?? b._typename;
  let numeric = !!leaf && b.fLeaves.arr.length === 1 && NUMERIC_LEAF.test(type);
  let jagged = !!leaf?.fLeafCount || (leaf?.fLen ?? 1) > 1;
  // std::vector<number> in a TBranchElement.
  const vec = /^vector<(float|double|int|unsigned int|short|unsigned short|char|unsigned char|long|Long64_t|ULong64_t|bool|Float_t|Double_t|Int_t|UInt_t)>$/;
  if (b._typename === 'TBranchElement' && vec.test(b.fClassName ?? '')) {
    numeric = true;
    jagged = true;
  }
  if ((b.fBranches?.arr?.length ?? 0) > 0) numeric = false;
  return { name: b.fName, type: b.fClassName || type, numeric, jagged };
}

async function list(bytes) {
  const { io } = await load();
  const file = await io.openFile(bytes.buffer);
  const trees = [];
  for (const key of file.fKeys ?? []) {
    if (key.fClassName !== 'TTree' || trees.some(t => t.name === key.fName)) continue;
    const tree = await file.readObject(key.fName);
    trees.push({
      name: key.fName,
      entries: Number(tree.fEntries),
      branches: (tree.fBranches?.arr ?? []).map(describe),
    });
  }
  return trees;
}

async function read(bytes, treeName, names) {
  const { io, tree: T } = await load();
  const file = await io.openFile(bytes.buffer);
  const tree = await file.readObject(treeName);
  const selector = new T.TSelector();
  const values = names.map(() => []);
  const counts = names.map(() => []);
  const jagged = names.map(() => false);
  names.forEach((n, i) => selector.addBranch(n, `b${i}`));
  selector.Process = function () {
    for (let i = 0; i < names.length; i++) {
      const v = this.tgtobj[`b${i}`];
      if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
        values[i].push(Number(v));
        counts[i].push(1);
      } else {
        jagged[i] = true;
        for (const x of v) values[i].push(Number(x));
        counts[i].push(v.length);
      }
    }
  };
  const done = await T.treeProcess(tree, selector);
  if (!done && values.every(v => v.length === 0) && Number(tree.fEntries) > 0)
    throw new Error(`cannot read the branches of TTree '${treeName}'`);
  return names.map((name, i) => ({
    name,
    values: Float64Array.from(values[i]),
    counts: jagged[i] ? Int32Array.from(counts[i]) : null,
  }));
}

self.onmessage = async (ev) => {
  const { op, bytes, tree, branches } = ev.data;
  try {
    const ok = op === 'list' ? await list(bytes) : await read(bytes, tree, branches);
    self.postMessage({ ok });
  } catch (e) {
    const msg = String(e?.message ?? e).split('\n')[0];
    self.postMessage({ err: msg || 'unknown error' });
  }
};
