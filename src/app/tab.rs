//! The lab's tasks, one tab each: their names in the URL and the navigation, and the question
//! each answers (plain data; `tabs.rs` has the navigation and the URL).

/// A task of the lab, in the navigation's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Home,
    Smear,
    Jets,
    Unfold,
    Showers,
    Evaluate,
    Detector,
    Models,
}

impl Tab {
    pub const ALL: [Tab; 8] = [
        Tab::Home,
        Tab::Smear,
        Tab::Jets,
        Tab::Unfold,
        Tab::Showers,
        Tab::Evaluate,
        Tab::Detector,
        Tab::Models,
    ];

    /// Its name in the URL (`?tab=smear`) and in element ids.
    pub fn slug(self) -> &'static str {
        match self {
            Tab::Home => "home",
            Tab::Smear => "smear",
            Tab::Jets => "jets",
            Tab::Unfold => "unfold",
            Tab::Showers => "showers",
            Tab::Evaluate => "evaluate",
            Tab::Detector => "detector",
            Tab::Models => "models",
        }
    }

    /// Its label in the navigation, with the seed paper it implements.
    pub fn label(self) -> &'static str {
        match self {
            Tab::Home => "Start",
            Tab::Smear => "Smear · 000",
            Tab::Jets => "Jets · 001",
            Tab::Unfold => "Unfold · 002",
            Tab::Showers => "Showers · 003",
            Tab::Evaluate => "Evaluate",
            Tab::Detector => "Detector",
            Tab::Models => "Models and links",
        }
    }

    /// The question the task answers (the landing's guide).
    pub fn question(self) -> &'static str {
        match self {
            Tab::Home => "",
            Tab::Smear => "How does the detector change my events? A network learns reco from gen, event by event.",
            Tab::Jets => "How are whole jets, particle by particle, reconstructed? A variational autoencoder learns it.",
            Tab::Unfold => "What were the particles, given what the detector saw? A conditional GAN unfolds, and is checked by closure.",
            Tab::Showers => "Can a network trained on 1k calorimeter showers beat those showers? A VAE-GAN generates photon showers, and quantile-JS says what they are worth.",
            Tab::Evaluate => "Is a generated sample worth more events than its training sample? Quantile-JS and amplification.",
            Tab::Detector => "What if the detector were different? Edit its resolutions and compare.",
            Tab::Models => "Start from a pre-trained model, or open and make links that reproduce a result.",
        }
    }

    pub fn from_slug(s: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.slug() == s)
    }
}
