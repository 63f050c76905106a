//! Files in and out: NumPy fixtures written by numpy itself, a ROOT file written by uproot
//! (tests/fixtures/make_fixtures.py), round trips through every writable format, and each
//! bad input the reader must refuse with a message naming the file and what was wrong.

use fastsim_lab::data::{read_bytes, read_path, write_path, Jagged, NonFinite, ReadOptions, Table};
use fastsim_lab::recipe::WjetsRecipe;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn tmp(name: &str) -> PathBuf {
    crate::tmp("formats", name)
}

fn read(name: &str, opts: &ReadOptions) -> fastsim_lab::Result<Table> {
    read_path(&fixture(name), opts).map(|l| l.table)
}

fn err(name: &str, opts: &ReadOptions) -> String {
    read(name, opts).unwrap_err().to_string()
}

/// The fixture's 4 × 3 table: 10 i + j + 0.5.
fn expected(j: usize) -> Vec<f32> {
    (0..4).map(|i| (10 * i + j) as f32 + 0.5).collect()
}

#[test]
fn numpy_written_npy_reads_in_every_layout() {
    let names: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
    let opts = ReadOptions {
        names: Some(names.clone()),
        ..Default::default()
    };
    for f in ["c_f64.npy", "fortran_f32.npy", "big_endian_f4.npy"] {
        let t = read(f, &opts).unwrap();
        assert_eq!(t.names(), names.as_slice(), "{f}");
        for (j, n) in names.iter().enumerate() {
            assert_eq!(t.column(n).unwrap(), expected(j).as_slice(), "{f} {n}");
        }
    }
    let t = read("c_f64.npy", &ReadOptions::default()).unwrap();
    assert_eq!(t.names(), ["col_0", "col_1", "col_2"]);
}

#[test]
fn numpy_written_npz_reads_columns_and_matrices() {
    for f in ["columns.npz", "columns_compressed.npz"] {
        let t = read(f, &ReadOptions::default()).unwrap();
        assert_eq!(t.names(), ["gen_x", "reco_x"], "{f}");
        assert_eq!(t.column("gen_x").unwrap(), expected(0).as_slice());
        assert_eq!(t.column("reco_x").unwrap(), expected(1).as_slice());
    }
    let t = read("matrix.npz", &ReadOptions::default()).unwrap();
    assert_eq!(t.names(), ["matrix_0", "matrix_1", "matrix_2", "weight"]);
    assert_eq!(t.column("matrix_2").unwrap(), expected(2).as_slice());
    assert_eq!(t.column("weight").unwrap(), &[0.0, 1.0, 2.0, 3.0]);
    // An array the user asks for that the archive lacks: named, with what is there.
    let e = t.column("gen_pt").unwrap_err().to_string();
    assert!(e.starts_with("unknown column 'gen_pt' in "), "{e}");
    assert!(
        e.ends_with("matrix.npz; available: matrix_0,matrix_1,matrix_2,weight"),
        "{e}"
    );
}

#[test]
fn bad_npy_files_are_named_and_explained() {
    let e = err("int64.npy", &ReadOptions::default());
    assert!(
        e.ends_with("int64.npy: dtype '<i8' is not supported: expected float32 or float64"),
        "{e}"
    );
    let e = err("truncated.npy", &ReadOptions::default());
    assert!(e.contains("truncated.npy: truncated data"), "{e}");
}

#[test]
fn round_trip_of_generated_events_through_csv_npy_npz() {
    let table = WjetsRecipe::new(300, 7).build().unwrap();
    for ext in ["csv", "npy", "npz"] {
        let path = tmp(&format!("events.{ext}"));
        write_path(&table, &path).unwrap();
        // A .npy's names come back from the sidecar written beside it.
        let back = read_path(&path, &ReadOptions::default()).unwrap().table;
        assert_eq!(back.names(), table.names(), "{ext}");
        for c in 0..table.n_cols() {
            assert_eq!(back.column_at(c), table.column_at(c), "{ext} column {c}");
        }
    }
}

fn root_reader_available() -> bool {
    let exe = std::env::var_os("FASTSIM_ROOT_READER").unwrap_or("fastsim-root".into());
    Command::new(exe).arg("--help").output().is_ok()
}

#[test]
fn uproot_written_root_file_reads_scalars_and_jagged_branches() {
    assert!(
        root_reader_available(),
        "the ROOT reader fastsim-root is not built: scripts/test builds it (tools/root-reader)"
    );
    let first = read("nano.root", &ReadOptions::default()).unwrap();
    assert_eq!(
        first.names(),
        ["MET_pt", "run", "nJet", "Jet_pt_0", "Jet_eta_0"]
    );
    // Event 1 has no jets: skipped under first:1.
    assert_eq!(first.column("MET_pt").unwrap(), &[20.5, 12.25, 40.0]);
    assert_eq!(first.column("Jet_pt_0").unwrap(), &[50.0, 70.0, 80.0]);
    let loaded = read_path(
        &fixture("nano.root"),
        &ReadOptions {
            jagged: Jagged::Flatten,
            branches: Some(vec!["MET_pt".into(), "Jet_pt".into()]),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        loaded.table.column("Jet_pt").unwrap(),
        &[50.0, 51.0, 70.0, 71.0, 72.0, 80.0]
    );
    assert_eq!(
        loaded.table.column("MET_pt").unwrap(),
        &[20.5, 20.5, 12.25, 12.25, 12.25, 40.0]
    );
    assert!(loaded.notes[0].contains("flattened 4 events into 6 rows"));

    let tree = ReadOptions {
        tree: Some("Jets".into()),
        ..Default::default()
    };
    let e = err("nano.root", &tree);
    assert!(
        e.ends_with("/tests/fixtures/nano.root: no TTree 'Jets' (trees: Events)"),
        "{e}"
    );
    assert_eq!(e.matches("nano.root").count(), 1, "{e}");
    let branch = ReadOptions {
        branches: Some(vec!["Jet_phi".into()]),
        ..Default::default()
    };
    let e = err("nano.root", &branch);
    assert!(
        e.ends_with(
            "TTree 'Events' has no branch 'Jet_phi' (branches: MET_pt,run,nJet,Jet_pt,Jet_eta)"
        ),
        "{e}"
    );
    let e = read_bytes(b"not root at all", "x.root", &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.ends_with("not a ROOT file (it does not start with 'root')"),
        "{e}"
    );
    let whole = std::fs::read(fixture("nano.root")).unwrap();
    let e = read_bytes(&whole[..3000], "cut.root", &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("cut.root: "), "{e}");
}

/// The fuzzer's out-of-memory input for oxyroot (a tree header whose count asks for 13 GB):
/// the reader runs in its own process, so fastsim answers with one line whatever it does.
#[test]
fn a_corrupt_root_file_is_one_error_line() {
    assert!(root_reader_available(), "fastsim-root is not built");
    let e = err("corrupt.root", &ReadOptions::default());
    assert!(e.contains("corrupt.root: malformed ROOT file"), "{e}");
    assert_eq!(e.lines().count(), 1, "{e}");
}

#[test]
fn every_bad_csv_case_gets_its_message() {
    let opts = ReadOptions::default();
    let cases: [(&str, &str); 5] = [
        ("", "empty.csv: empty file: expected a header row of column names"),
        ("a;b\n1;2\n", "semi.csv: the header is one column 'a;b': expected comma-separated values, found ';' (wrong delimiter?)"),
        ("a,b\nx,y\n", "text.csv: no column holds numbers (text columns: a, b)"),
        ("a,b\n1,2\n3\n", "ragged.csv: row 2: 1 fields, the header has 2 (wrong delimiter or ragged row?)"),
        ("a,b\n1,inf\nnan,2\n", "nan.csv: row 1, column 'b': not a finite number (NaN or Inf; 2 rows in all have one; drop them with --drop-nonfinite)"),
    ];
    let names = ["empty.csv", "semi.csv", "text.csv", "ragged.csv", "nan.csv"];
    for ((text, want), name) in cases.iter().zip(names) {
        let e = read_bytes(text.as_bytes(), name, &opts)
            .unwrap_err()
            .to_string();
        assert_eq!(&e, want);
    }
    let dropped = read_bytes(
        b"a,b\n1,inf\nnan,2\n5,6\n",
        "nan.csv",
        &ReadOptions {
            non_finite: NonFinite::Drop,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(dropped.dropped, 2);
    assert_eq!(dropped.table.n_rows(), 1);
}

#[test]
fn a_2gb_file_is_refused_before_it_is_read() {
    let path = tmp("huge.csv");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(2 << 30).unwrap(); // sparse: no disk used, nothing read
    let e = read_path(&path, &ReadOptions::default())
        .unwrap_err()
        .to_string();
    std::fs::remove_file(&path).unwrap();
    assert!(
        e.ends_with("huge.csv: 2048.0 MiB is over the 512 MiB limit for one file; split it or select columns first"),
        "{e}"
    );
}
