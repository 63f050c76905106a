//! The pre-trained models in models/: each file is what the manifest says — its SHA-256, the
//! recipe of its training events (the one the file's header records) and its quality figures —
//! and loads.

use fastsim_lab::backend;
use fastsim_lab::recipe::DataOrigin;
use fastsim_lab::store::{load_smearing, Manifest};

#[test]
fn manifest_entries_match_their_files() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let text = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    let manifest = Manifest::from_json(&text, "models/manifest.json").unwrap();
    assert!(manifest.models.len() >= 2);
    for e in &manifest.models {
        let bytes = std::fs::read(dir.join(&e.file)).unwrap();
        Manifest::verify(e, &bytes).unwrap();
        let model = load_smearing(&bytes, &e.file, &backend::cpu()).unwrap();
        match &model.meta.origin {
            Some(DataOrigin::Recipe { recipe }) => assert_eq!(**recipe, e.recipe, "{}", e.name),
            other => panic!("{}: origin {other:?}", e.name),
        }
        assert_eq!(model.meta.quality, e.quantile_js, "{}", e.name);
        assert!(e.command.contains(&format!("--out models/{}", e.file)));
        println!(
            "{}: {} events, kept epoch {}, quantile-JS {:?}",
            e.name, model.meta.events, model.meta.best_epoch, e.quantile_js
        );
    }
}
