//! Which writing system a character belongs to, as far as matching cares.

/// The scripts chokepoint tells apart. Anything else is transliterated like `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Script {
    /// Latin letters, digits and ASCII punctuation.
    Latin,
    /// Chinese characters (and Japanese kanji, Korean hanja).
    Han,
    /// Japanese hiragana and katakana.
    Kana,
    /// Korean hangul.
    Hangul,
    /// Cyrillic.
    Cyrillic,
    /// Greek.
    Greek,
    /// Arabic (and Persian, Urdu, Pashto in Arabic letters).
    Arabic,
    /// Hebrew.
    Hebrew,
    /// Thai.
    Thai,
    /// Any other script.
    Other,
}

impl Script {
    /// The script of one character. Digits, spaces and punctuation count as Latin.
    pub fn of(c: char) -> Script {
        let u = c as u32;
        match u {
            0..=0x024F | 0x1E00..=0x1EFF | 0x2000..=0x206F => Script::Latin,
            0x0370..=0x03FF | 0x1F00..=0x1FFF => Script::Greek,
            0x0400..=0x052F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => {
                Script::Cyrillic
            }
            0x0590..=0x05FF | 0xFB1D..=0xFB4F => Script::Hebrew,
            0x0600..=0x06FF
            | 0x0750..=0x077F
            | 0x08A0..=0x08FF
            | 0xFB50..=0xFDFF
            | 0xFE70..=0xFEFF => Script::Arabic,
            0x0E00..=0x0E7F => Script::Thai,
            0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => Script::Kana,
            0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => Script::Hangul,
            0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F => Script::Han,
            _ => Script::Other,
        }
    }

    /// Whether the script writes consonants only (vowels are optional marks), so a romanised
    /// form lacks the vowels the Latin spelling has.
    pub fn is_abjad(self) -> bool {
        matches!(self, Script::Arabic | Script::Hebrew)
    }

    /// Lowercase English name of the script, for explanations.
    pub fn as_str(self) -> &'static str {
        match self {
            Script::Latin => "latin",
            Script::Han => "han",
            Script::Kana => "kana",
            Script::Hangul => "hangul",
            Script::Cyrillic => "cyrillic",
            Script::Greek => "greek",
            Script::Arabic => "arabic",
            Script::Hebrew => "hebrew",
            Script::Thai => "thai",
            Script::Other => "other",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_of_sample_characters() {
        assert_eq!(Script::of('a'), Script::Latin);
        assert_eq!(Script::of('é'), Script::Latin);
        assert_eq!(Script::of('中'), Script::Han);
        assert_eq!(Script::of('國'), Script::Han);
        assert_eq!(Script::of('カ'), Script::Kana);
        assert_eq!(Script::of('한'), Script::Hangul);
        assert_eq!(Script::of('Ж'), Script::Cyrillic);
        assert_eq!(Script::of('Ω'), Script::Greek);
        assert_eq!(Script::of('م'), Script::Arabic);
        assert_eq!(Script::of('ש'), Script::Hebrew);
        assert_eq!(Script::of('ก'), Script::Thai);
    }
}
