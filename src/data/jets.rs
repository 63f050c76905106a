//! Jets with constituents (DESIGN.md, conventions): named arrays of shape (N, 50, 3) —
//! (px, py, pz) in GeV of each jet's constituents, pT-ordered and zero-padded — as `.npz`
//! (`gen`, `reco`, and any other array of that shape) or a long CSV `jet, level, px, py, pz`
//! with one row per real constituent.

use super::npz::{read_arrays, write_arrays};
use super::MAX_FILE_BYTES;
use crate::error::{Error, Result};
use crate::physics::{from_fixed, to_fixed, Particle, MAX_PARTICLES};
use std::collections::BTreeMap;

/// Values per jet in the fixed layout.
pub const JET_VALUES: usize = MAX_PARTICLES * 3;

/// Same-length named arrays of jets, each `n × 50 × 3` f32 row-major.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JetArrays {
    n: usize,
    arrays: Vec<(String, Vec<f32>)>,
    /// What a reader changed and the user should hear of (e.g. jets cut to 50 constituents).
    pub notes: Vec<String>,
}

impl JetArrays {
    pub fn new(n: usize) -> Self {
        Self {
            n,
            ..Self::default()
        }
    }

    /// Jets per array.
    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    pub fn names(&self) -> Vec<&str> {
        self.arrays.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// Adds or replaces the array `name` (`n × 150` values).
    pub fn insert(&mut self, name: &str, values: Vec<f32>) -> Result<()> {
        if values.len() != self.n * JET_VALUES {
            return Err(Error::invalid(
                "jet array",
                format!(
                    "'{name}' has {} values, {} jets need {}",
                    values.len(),
                    self.n,
                    self.n * JET_VALUES
                ),
            ));
        }
        match self.arrays.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = values,
            None => self.arrays.push((name.to_string(), values)),
        }
        Ok(())
    }

    pub fn remove(&mut self, name: &str) -> Option<Vec<f32>> {
        let i = self.arrays.iter().position(|(n, _)| n == name)?;
        Some(self.arrays.remove(i).1)
    }

    pub fn get(&self, name: &str) -> Option<&[f32]> {
        self.arrays
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// The array `name`, or an error that names the file and the arrays it has.
    pub fn require(&self, name: &str, file: &str) -> Result<&[f32]> {
        self.get(name).ok_or_else(|| Error::Format {
            file: file.to_string(),
            message: format!("no '{name}' jet array; it has: {}", self.names().join(", ")),
        })
    }

    /// Jets `from..to` of every array (a training / test split by position).
    pub fn slice(&self, from: usize, to: usize) -> Result<Self> {
        let to = to.min(self.n);
        let from = from.min(to);
        let mut out = JetArrays::new(to - from);
        for (name, values) in &self.arrays {
            out.insert(name, values[from * JET_VALUES..to * JET_VALUES].to_vec())?;
        }
        Ok(out)
    }

    /// The real constituents of jet `i` of array `name`.
    pub fn particles(&self, name: &str, i: usize) -> Option<Vec<Particle>> {
        let a = self.get(name)?;
        let rows: Vec<[f32; 3]> = a
            .get(i * JET_VALUES..(i + 1) * JET_VALUES)?
            .chunks_exact(3)
            .map(|c| [c[0], c[1], c[2]])
            .collect();
        Some(from_fixed(&rows))
    }

    /// Reads `.npz` or `.csv`, chosen by the extension of `file`.
    pub fn read_bytes(bytes: &[u8], file: &str) -> Result<Self> {
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(Error::Format {
                file: file.into(),
                message: format!("over the {} MiB limit", MAX_FILE_BYTES >> 20),
            });
        }
        let lower = file.to_ascii_lowercase();
        if lower.ends_with(".npz") {
            read_npz_jets(bytes, file)
        } else if lower.ends_with(".csv") {
            read_csv_jets(bytes, file)
        } else {
            Err(Error::Format {
                file: file.into(),
                message: "jets are read from .npz (arrays of shape (N, 50, 3)) or a long .csv (jet, level, px, py, pz)".into(),
            })
        }
    }

    pub fn write_bytes(&self, file: &str) -> Result<Vec<u8>> {
        let lower = file.to_ascii_lowercase();
        if lower.ends_with(".npz") {
            let shape = vec![self.n as u64, MAX_PARTICLES as u64, 3];
            write_arrays(
                self.arrays
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_slice(), shape.clone())),
                file,
            )
        } else if lower.ends_with(".csv") {
            let mut out = String::from("jet,level,px,py,pz\n");
            for i in 0..self.n {
                for (name, _) in &self.arrays {
                    for p in self.particles(name, i).unwrap_or_default() {
                        out.push_str(&format!(
                            "{i},{name},{},{},{}\n",
                            p.px as f32, p.py as f32, p.pz as f32
                        ));
                    }
                }
            }
            Ok(out.into_bytes())
        } else {
            Err(Error::Format {
                file: file.into(),
                message: "jets are written as .npz or .csv".into(),
            })
        }
    }
}

/// Checks every value is finite; the message names the array, jet and constituent.
fn check_finite(name: &str, values: &[f32], file: &str) -> Result<()> {
    if let Some(k) = values.iter().position(|v| !v.is_finite()) {
        return Err(Error::Format {
            file: file.into(),
            message: format!(
                "array '{name}': jet {}, constituent {}, {} is {}",
                k / JET_VALUES,
                (k % JET_VALUES) / 3,
                ["px", "py", "pz"][k % 3],
                values[k]
            ),
        });
    }
    Ok(())
}

fn read_npz_jets(bytes: &[u8], file: &str) -> Result<JetArrays> {
    let mut out: Option<JetArrays> = None;
    for (name, a) in read_arrays(bytes, file)? {
        if a.shape.len() != 3 || a.shape[1] != MAX_PARTICLES || a.shape[2] != 3 {
            return Err(Error::Format {
                file: file.into(),
                message: format!(
                    "array '{name}' has shape {:?}; jets need (N, {MAX_PARTICLES}, 3): px, py, pz of {MAX_PARTICLES} constituents",
                    a.shape
                ),
            });
        }
        check_finite(&name, &a.data, file)?;
        let jets = out.get_or_insert_with(|| JetArrays::new(a.shape[0]));
        if a.shape[0] != jets.n {
            return Err(Error::Format {
                file: file.into(),
                message: format!(
                    "array '{name}' has {} jets, the arrays before it {}",
                    a.shape[0], jets.n
                ),
            });
        }
        // Files written elsewhere may not be pT-ordered: order (and re-pad) every jet.
        let mut data = a.data;
        for jet in data.chunks_exact_mut(JET_VALUES) {
            let rows: Vec<[f32; 3]> = jet.chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect();
            let fixed = to_fixed(&from_fixed(&rows));
            jet.copy_from_slice(fixed.as_flattened());
        }
        jets.insert(&name, data)?;
    }
    out.ok_or_else(|| Error::Format {
        file: file.into(),
        message: "the archive holds no arrays".into(),
    })
}

fn read_csv_jets(bytes: &[u8], file: &str) -> Result<JetArrays> {
    let err = |message: String| Error::Format {
        file: file.into(),
        message,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let header = rdr
        .headers()
        .map_err(|e| err(format!("cannot read the header: {e}")))?
        .clone();
    let col = |name: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| {
            err(format!(
                "no '{name}' column; a jet CSV has columns jet, level, px, py, pz (found: {})",
                header.iter().collect::<Vec<_>>().join(", ")
            ))
        })
    };
    let (cj, cl, cx, cy, cz) = (
        col("jet")?,
        col("level")?,
        col("px")?,
        col("py")?,
        col("pz")?,
    );
    // level → jet → constituents
    let mut levels: BTreeMap<String, BTreeMap<usize, Vec<Particle>>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut rows = 0usize;
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| err(format!("line {line}: {e}")))?;
        rows += 1;
        let field = |c: usize, name: &str| {
            rec.get(c)
                .ok_or_else(|| err(format!("line {line}: no value in column '{name}'")))
        };
        let jet: usize = field(cj, "jet")?.parse().map_err(|_| {
            err(format!(
                "line {line}, column 'jet': '{}' is not a jet number (0, 1, 2, …)",
                rec.get(cj).unwrap_or("")
            ))
        })?;
        let level = field(cl, "level")?.to_string();
        if level.is_empty() || !level.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(err(format!(
                "line {line}, column 'level': '{level}' is not a name like gen or reco"
            )));
        }
        let mut v = [0f64; 3];
        for (k, (c, name)) in [(cx, "px"), (cy, "py"), (cz, "pz")].into_iter().enumerate() {
            let s = field(c, name)?;
            v[k] = s
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| {
                    err(format!(
                        "line {line}, column '{name}': '{s}' is not a finite number"
                    ))
                })?;
        }
        if !levels.contains_key(&level) {
            order.push(level.clone());
        }
        levels
            .entry(level)
            .or_default()
            .entry(jet)
            .or_default()
            .push(Particle {
                px: v[0],
                py: v[1],
                pz: v[2],
            });
    }
    if rows == 0 {
        return Err(err("no constituents (the file has only a header)".into()));
    }
    let n = 1 + levels
        .values()
        .flat_map(|m| m.keys())
        .copied()
        .max()
        .unwrap_or(0);
    // Jets are numbered 0, 1, … and every jet has a constituent somewhere: a larger number
    // is a typo, and would otherwise allocate for jets that are not there.
    if n > rows {
        return Err(err(format!(
            "jet number {} is beyond the {rows} constituent rows of the file (jets are numbered from 0)",
            n - 1
        )));
    }
    let mut out = JetArrays::new(n);
    let mut cut = 0usize;
    for level in order {
        let jets = &levels[&level];
        let mut data = vec![0f32; n * JET_VALUES];
        for (&j, ps) in jets {
            cut += ps.len().saturating_sub(MAX_PARTICLES);
            data[j * JET_VALUES..(j + 1) * JET_VALUES].copy_from_slice(to_fixed(ps).as_flattened());
        }
        out.insert(&level, data)?;
    }
    if cut > 0 {
        out.notes.push(format!(
            "{cut} constituents beyond the {MAX_PARTICLES} hardest of their jet were dropped"
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> JetArrays {
        let mut j = JetArrays::new(2);
        let mut gen = vec![0f32; 2 * JET_VALUES];
        gen[..6].copy_from_slice(&[100.0, 1.0, 5.0, 10.0, -2.0, 0.5]);
        gen[JET_VALUES..JET_VALUES + 3].copy_from_slice(&[-40.0, 30.0, 2.0]);
        j.insert("gen", gen.clone()).unwrap();
        gen[0] = 95.0;
        j.insert("reco", gen).unwrap();
        j
    }

    #[test]
    fn npz_and_csv_round_trip() {
        let j = sample();
        for file in ["j.npz", "j.csv"] {
            let bytes = j.write_bytes(file).unwrap();
            let back = JetArrays::read_bytes(&bytes, file).unwrap();
            assert_eq!(back.len(), 2);
            assert_eq!(back.get("gen"), j.get("gen"), "{file}");
            assert_eq!(back.get("reco"), j.get("reco"), "{file}");
        }
    }

    #[test]
    fn csv_orders_by_pt_and_names_bad_values() {
        let text = "jet,level,px,py,pz\n0,gen,1,0,0\n0,gen,10,0,0\n1,reco,3,4,0\n";
        let j = JetArrays::read_bytes(text.as_bytes(), "x.csv").unwrap();
        assert_eq!(j.len(), 2);
        assert_eq!(
            &j.get("gen").unwrap()[..6],
            &[10.0, 0.0, 0.0, 1.0, 0.0, 0.0]
        );
        assert_eq!(j.particles("gen", 1).unwrap().len(), 0);
        let bad = "jet,level,px,py,pz\n0,gen,1,nan,0\n";
        let e = JetArrays::read_bytes(bad.as_bytes(), "x.csv").unwrap_err();
        assert_eq!(
            e.to_string(),
            "x.csv: line 2, column 'py': 'nan' is not a finite number"
        );
        let far = "jet,level,px,py,pz\n999999999,gen,1,0,0\n";
        let e = JetArrays::read_bytes(far.as_bytes(), "x.csv").unwrap_err();
        assert!(
            e.to_string().contains("jet number 999999999 is beyond"),
            "{e}"
        );
        let missing = "jet,px,py,pz\n0,1,0,0\n";
        let e = JetArrays::read_bytes(missing.as_bytes(), "x.csv").unwrap_err();
        assert!(e.to_string().contains("no 'level' column"), "{e}");
    }

    #[test]
    fn npz_shape_and_nan_are_refused() {
        let wrong = write_arrays([("gen", &[1f32; 6][..], vec![2, 3])], "w.npz").unwrap();
        let e = JetArrays::read_bytes(&wrong, "w.npz").unwrap_err();
        assert!(
            e.to_string()
                .contains("has shape [2, 3]; jets need (N, 50, 3)"),
            "{e}"
        );
        let mut v = vec![0f32; JET_VALUES];
        v[3 * 7 + 2] = f32::NAN;
        let nan = write_arrays([("reco", &v[..], vec![1, 50, 3])], "n.npz").unwrap();
        let e = JetArrays::read_bytes(&nan, "n.npz").unwrap_err();
        assert_eq!(
            e.to_string(),
            "n.npz: array 'reco': jet 0, constituent 7, pz is NaN"
        );
    }
}
