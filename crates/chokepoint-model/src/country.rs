//! ISO 3166-1 alpha-2 country codes and the country names the official lists write.
//!
//! The lists name countries in many ways ("Korea, North", "Iran, Islamic Republic of",
//! "Democratic Republic of the Congo", "Burma"); [`code_for_name`] maps them to one ISO-2 code so
//! screening filters and the rules engine speak one language.

use std::collections::HashMap;
use std::sync::OnceLock;

/// One country: its ISO-2 code, its short English name, and other names it goes by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Country {
    /// ISO 3166-1 alpha-2 code.
    pub code: &'static str,
    /// Short English name.
    pub name: &'static str,
    /// Other spellings seen in the official lists.
    pub aliases: &'static [&'static str],
}

/// Every ISO 3166-1 alpha-2 country, sorted by code, plus two codes the lists use outside the
/// standard: `XK` (Kosovo, user-assigned, used by OFAC and the EU) and `AN` (Netherlands Antilles,
/// withdrawn in 2010, still in old list addresses). Short names follow the usual English short form
/// (ISO `common_name` where it has one); aliases are the ISO long forms plus the spellings seen in
/// the CSL, OFAC, BIS DPL and UN files.
pub static COUNTRIES: &[Country] = &[
    Country {
        code: "AD",
        name: "Andorra",
        aliases: &["Principality of Andorra"],
    },
    Country {
        code: "AE",
        name: "United Arab Emirates",
        aliases: &["UAE", "U.A.E."],
    },
    Country {
        code: "AF",
        name: "Afghanistan",
        aliases: &["Islamic Republic of Afghanistan"],
    },
    Country {
        code: "AG",
        name: "Antigua and Barbuda",
        aliases: &[],
    },
    Country {
        code: "AI",
        name: "Anguilla",
        aliases: &[],
    },
    Country {
        code: "AL",
        name: "Albania",
        aliases: &["Republic of Albania"],
    },
    Country {
        code: "AM",
        name: "Armenia",
        aliases: &["Republic of Armenia"],
    },
    Country {
        code: "AN",
        name: "Netherlands Antilles",
        aliases: &[],
    },
    Country {
        code: "AO",
        name: "Angola",
        aliases: &["Republic of Angola"],
    },
    Country {
        code: "AQ",
        name: "Antarctica",
        aliases: &[],
    },
    Country {
        code: "AR",
        name: "Argentina",
        aliases: &["Argentine Republic"],
    },
    Country {
        code: "AS",
        name: "American Samoa",
        aliases: &[],
    },
    Country {
        code: "AT",
        name: "Austria",
        aliases: &["Republic of Austria"],
    },
    Country {
        code: "AU",
        name: "Australia",
        aliases: &[],
    },
    Country {
        code: "AW",
        name: "Aruba",
        aliases: &[],
    },
    Country {
        code: "AX",
        name: "Åland Islands",
        aliases: &[],
    },
    Country {
        code: "AZ",
        name: "Azerbaijan",
        aliases: &["Republic of Azerbaijan"],
    },
    Country {
        code: "BA",
        name: "Bosnia and Herzegovina",
        aliases: &["Republic of Bosnia and Herzegovina", "Bosnia-Herzegovina"],
    },
    Country {
        code: "BB",
        name: "Barbados",
        aliases: &[],
    },
    Country {
        code: "BD",
        name: "Bangladesh",
        aliases: &["People's Republic of Bangladesh"],
    },
    Country {
        code: "BE",
        name: "Belgium",
        aliases: &["Kingdom of Belgium"],
    },
    Country {
        code: "BF",
        name: "Burkina Faso",
        aliases: &[],
    },
    Country {
        code: "BG",
        name: "Bulgaria",
        aliases: &["Republic of Bulgaria"],
    },
    Country {
        code: "BH",
        name: "Bahrain",
        aliases: &["Kingdom of Bahrain"],
    },
    Country {
        code: "BI",
        name: "Burundi",
        aliases: &["Republic of Burundi"],
    },
    Country {
        code: "BJ",
        name: "Benin",
        aliases: &["Republic of Benin"],
    },
    Country {
        code: "BL",
        name: "Saint Barthélemy",
        aliases: &["Saint Barthelemy"],
    },
    Country {
        code: "BM",
        name: "Bermuda",
        aliases: &[],
    },
    Country {
        code: "BN",
        name: "Brunei",
        aliases: &["Brunei Darussalam"],
    },
    Country {
        code: "BO",
        name: "Bolivia",
        aliases: &[
            "Bolivia, Plurinational State of",
            "Plurinational State of Bolivia",
            "Bolivia (Plurinational State of)",
        ],
    },
    Country {
        code: "BQ",
        name: "Bonaire, Sint Eustatius and Saba",
        aliases: &[],
    },
    Country {
        code: "BR",
        name: "Brazil",
        aliases: &["Federative Republic of Brazil"],
    },
    Country {
        code: "BS",
        name: "Bahamas",
        aliases: &["Commonwealth of the Bahamas", "Bahamas, The", "The Bahamas"],
    },
    Country {
        code: "BT",
        name: "Bhutan",
        aliases: &["Kingdom of Bhutan"],
    },
    Country {
        code: "BV",
        name: "Bouvet Island",
        aliases: &[],
    },
    Country {
        code: "BW",
        name: "Botswana",
        aliases: &["Republic of Botswana"],
    },
    Country {
        code: "BY",
        name: "Belarus",
        aliases: &["Republic of Belarus"],
    },
    Country {
        code: "BZ",
        name: "Belize",
        aliases: &[],
    },
    Country {
        code: "CA",
        name: "Canada",
        aliases: &[],
    },
    Country {
        code: "CC",
        name: "Cocos (Keeling) Islands",
        aliases: &[],
    },
    Country {
        code: "CD",
        name: "Congo, Democratic Republic of the",
        aliases: &[
            "Congo, The Democratic Republic of the",
            "Democratic Republic of the Congo",
            "Democratic Republic of Congo",
            "DRC",
            "Congo (Kinshasa)",
            "Zaire",
        ],
    },
    Country {
        code: "CF",
        name: "Central African Republic",
        aliases: &[],
    },
    Country {
        code: "CG",
        name: "Congo",
        aliases: &[
            "Republic of the Congo",
            "Congo, Republic of the",
            "Congo (Brazzaville)",
        ],
    },
    Country {
        code: "CH",
        name: "Switzerland",
        aliases: &["Swiss Confederation"],
    },
    Country {
        code: "CI",
        name: "Côte d'Ivoire",
        aliases: &[
            "Republic of Côte d'Ivoire",
            "Cote d Ivoire",
            "Cote d'Ivoire",
            "Ivory Coast",
        ],
    },
    Country {
        code: "CK",
        name: "Cook Islands",
        aliases: &[],
    },
    Country {
        code: "CL",
        name: "Chile",
        aliases: &["Republic of Chile"],
    },
    Country {
        code: "CM",
        name: "Cameroon",
        aliases: &["Republic of Cameroon"],
    },
    Country {
        code: "CN",
        name: "China",
        aliases: &[
            "People's Republic of China",
            "PRC",
            "China, People's Republic of",
            "Mainland China",
        ],
    },
    Country {
        code: "CO",
        name: "Colombia",
        aliases: &["Republic of Colombia"],
    },
    Country {
        code: "CR",
        name: "Costa Rica",
        aliases: &["Republic of Costa Rica"],
    },
    Country {
        code: "CU",
        name: "Cuba",
        aliases: &["Republic of Cuba"],
    },
    Country {
        code: "CV",
        name: "Cabo Verde",
        aliases: &["Republic of Cabo Verde", "Cape Verde"],
    },
    Country {
        code: "CW",
        name: "Curaçao",
        aliases: &["Curacao"],
    },
    Country {
        code: "CX",
        name: "Christmas Island",
        aliases: &[],
    },
    Country {
        code: "CY",
        name: "Cyprus",
        aliases: &["Republic of Cyprus"],
    },
    Country {
        code: "CZ",
        name: "Czechia",
        aliases: &["Czech Republic"],
    },
    Country {
        code: "DE",
        name: "Germany",
        aliases: &["Federal Republic of Germany"],
    },
    Country {
        code: "DJ",
        name: "Djibouti",
        aliases: &["Republic of Djibouti"],
    },
    Country {
        code: "DK",
        name: "Denmark",
        aliases: &["Kingdom of Denmark"],
    },
    Country {
        code: "DM",
        name: "Dominica",
        aliases: &["Commonwealth of Dominica"],
    },
    Country {
        code: "DO",
        name: "Dominican Republic",
        aliases: &[],
    },
    Country {
        code: "DZ",
        name: "Algeria",
        aliases: &["People's Democratic Republic of Algeria"],
    },
    Country {
        code: "EC",
        name: "Ecuador",
        aliases: &["Republic of Ecuador"],
    },
    Country {
        code: "EE",
        name: "Estonia",
        aliases: &["Republic of Estonia"],
    },
    Country {
        code: "EG",
        name: "Egypt",
        aliases: &["Arab Republic of Egypt"],
    },
    Country {
        code: "EH",
        name: "Western Sahara",
        aliases: &[],
    },
    Country {
        code: "ER",
        name: "Eritrea",
        aliases: &["State of Eritrea"],
    },
    Country {
        code: "ES",
        name: "Spain",
        aliases: &["Kingdom of Spain"],
    },
    Country {
        code: "ET",
        name: "Ethiopia",
        aliases: &["Federal Democratic Republic of Ethiopia"],
    },
    Country {
        code: "FI",
        name: "Finland",
        aliases: &["Republic of Finland"],
    },
    Country {
        code: "FJ",
        name: "Fiji",
        aliases: &["Republic of Fiji"],
    },
    Country {
        code: "FK",
        name: "Falkland Islands",
        aliases: &["Falkland Islands (Malvinas)"],
    },
    Country {
        code: "FM",
        name: "Micronesia",
        aliases: &[
            "Micronesia, Federated States of",
            "Federated States of Micronesia",
        ],
    },
    Country {
        code: "FO",
        name: "Faroe Islands",
        aliases: &[],
    },
    Country {
        code: "FR",
        name: "France",
        aliases: &["French Republic"],
    },
    Country {
        code: "GA",
        name: "Gabon",
        aliases: &["Gabonese Republic"],
    },
    Country {
        code: "GB",
        name: "United Kingdom",
        aliases: &[
            "United Kingdom of Great Britain and Northern Ireland",
            "UK",
            "Great Britain",
            "Britain",
            "U.K.",
            "England",
            "Scotland",
            "Wales",
            "Northern Ireland",
        ],
    },
    Country {
        code: "GD",
        name: "Grenada",
        aliases: &[],
    },
    Country {
        code: "GE",
        name: "Georgia",
        aliases: &[],
    },
    Country {
        code: "GF",
        name: "French Guiana",
        aliases: &[],
    },
    Country {
        code: "GG",
        name: "Guernsey",
        aliases: &[],
    },
    Country {
        code: "GH",
        name: "Ghana",
        aliases: &["Republic of Ghana"],
    },
    Country {
        code: "GI",
        name: "Gibraltar",
        aliases: &[],
    },
    Country {
        code: "GL",
        name: "Greenland",
        aliases: &[],
    },
    Country {
        code: "GM",
        name: "Gambia",
        aliases: &["Republic of the Gambia", "The Gambia", "Gambia, The"],
    },
    Country {
        code: "GN",
        name: "Guinea",
        aliases: &["Republic of Guinea"],
    },
    Country {
        code: "GP",
        name: "Guadeloupe",
        aliases: &[],
    },
    Country {
        code: "GQ",
        name: "Equatorial Guinea",
        aliases: &["Republic of Equatorial Guinea"],
    },
    Country {
        code: "GR",
        name: "Greece",
        aliases: &["Hellenic Republic"],
    },
    Country {
        code: "GS",
        name: "South Georgia and the South Sandwich Islands",
        aliases: &[],
    },
    Country {
        code: "GT",
        name: "Guatemala",
        aliases: &["Republic of Guatemala"],
    },
    Country {
        code: "GU",
        name: "Guam",
        aliases: &[],
    },
    Country {
        code: "GW",
        name: "Guinea-Bissau",
        aliases: &["Republic of Guinea-Bissau"],
    },
    Country {
        code: "GY",
        name: "Guyana",
        aliases: &["Republic of Guyana"],
    },
    Country {
        code: "HK",
        name: "Hong Kong",
        aliases: &[
            "Hong Kong Special Administrative Region of China",
            "Hong Kong SAR",
            "Hong Kong, China",
            "China, Hong Kong Special Administrative Region",
            "Hong Kong Special Administrative Region",
        ],
    },
    Country {
        code: "HM",
        name: "Heard Island and McDonald Islands",
        aliases: &[],
    },
    Country {
        code: "HN",
        name: "Honduras",
        aliases: &["Republic of Honduras"],
    },
    Country {
        code: "HR",
        name: "Croatia",
        aliases: &["Republic of Croatia"],
    },
    Country {
        code: "HT",
        name: "Haiti",
        aliases: &["Republic of Haiti"],
    },
    Country {
        code: "HU",
        name: "Hungary",
        aliases: &[],
    },
    Country {
        code: "ID",
        name: "Indonesia",
        aliases: &["Republic of Indonesia"],
    },
    Country {
        code: "IE",
        name: "Ireland",
        aliases: &[],
    },
    Country {
        code: "IL",
        name: "Israel",
        aliases: &["State of Israel"],
    },
    Country {
        code: "IM",
        name: "Isle of Man",
        aliases: &["Man, Isle of"],
    },
    Country {
        code: "IN",
        name: "India",
        aliases: &["Republic of India"],
    },
    Country {
        code: "IO",
        name: "British Indian Ocean Territory",
        aliases: &[],
    },
    Country {
        code: "IQ",
        name: "Iraq",
        aliases: &["Republic of Iraq"],
    },
    Country {
        code: "IR",
        name: "Iran",
        aliases: &[
            "Iran, Islamic Republic of",
            "Islamic Republic of Iran",
            "Iran (Islamic Republic of)",
            "Persia",
        ],
    },
    Country {
        code: "IS",
        name: "Iceland",
        aliases: &["Republic of Iceland"],
    },
    Country {
        code: "IT",
        name: "Italy",
        aliases: &["Italian Republic"],
    },
    Country {
        code: "JE",
        name: "Jersey",
        aliases: &[],
    },
    Country {
        code: "JM",
        name: "Jamaica",
        aliases: &[],
    },
    Country {
        code: "JO",
        name: "Jordan",
        aliases: &["Hashemite Kingdom of Jordan"],
    },
    Country {
        code: "JP",
        name: "Japan",
        aliases: &[],
    },
    Country {
        code: "KE",
        name: "Kenya",
        aliases: &["Republic of Kenya"],
    },
    Country {
        code: "KG",
        name: "Kyrgyzstan",
        aliases: &["Kyrgyz Republic"],
    },
    Country {
        code: "KH",
        name: "Cambodia",
        aliases: &["Kingdom of Cambodia"],
    },
    Country {
        code: "KI",
        name: "Kiribati",
        aliases: &["Republic of Kiribati"],
    },
    Country {
        code: "KM",
        name: "Comoros",
        aliases: &["Union of the Comoros"],
    },
    Country {
        code: "KN",
        name: "Saint Kitts and Nevis",
        aliases: &["St. Kitts and Nevis"],
    },
    Country {
        code: "KP",
        name: "North Korea",
        aliases: &[
            "Korea, Democratic People's Republic of",
            "Democratic People's Republic of Korea",
            "Korea, North",
            "DPRK",
            "Korea (Democratic People's Republic of)",
        ],
    },
    Country {
        code: "KR",
        name: "South Korea",
        aliases: &["Korea, Republic of", "Korea, South", "Republic of Korea"],
    },
    Country {
        code: "KW",
        name: "Kuwait",
        aliases: &["State of Kuwait"],
    },
    Country {
        code: "KY",
        name: "Cayman Islands",
        aliases: &[],
    },
    Country {
        code: "KZ",
        name: "Kazakhstan",
        aliases: &["Republic of Kazakhstan"],
    },
    Country {
        code: "LA",
        name: "Laos",
        aliases: &["Lao People's Democratic Republic", "Lao PDR"],
    },
    Country {
        code: "LB",
        name: "Lebanon",
        aliases: &["Lebanese Republic"],
    },
    Country {
        code: "LC",
        name: "Saint Lucia",
        aliases: &["St. Lucia"],
    },
    Country {
        code: "LI",
        name: "Liechtenstein",
        aliases: &["Principality of Liechtenstein"],
    },
    Country {
        code: "LK",
        name: "Sri Lanka",
        aliases: &["Democratic Socialist Republic of Sri Lanka"],
    },
    Country {
        code: "LR",
        name: "Liberia",
        aliases: &["Republic of Liberia"],
    },
    Country {
        code: "LS",
        name: "Lesotho",
        aliases: &["Kingdom of Lesotho"],
    },
    Country {
        code: "LT",
        name: "Lithuania",
        aliases: &["Republic of Lithuania"],
    },
    Country {
        code: "LU",
        name: "Luxembourg",
        aliases: &["Grand Duchy of Luxembourg"],
    },
    Country {
        code: "LV",
        name: "Latvia",
        aliases: &["Republic of Latvia"],
    },
    Country {
        code: "LY",
        name: "Libya",
        aliases: &[],
    },
    Country {
        code: "MA",
        name: "Morocco",
        aliases: &["Kingdom of Morocco"],
    },
    Country {
        code: "MC",
        name: "Monaco",
        aliases: &["Principality of Monaco"],
    },
    Country {
        code: "MD",
        name: "Moldova",
        aliases: &["Moldova, Republic of", "Republic of Moldova"],
    },
    Country {
        code: "ME",
        name: "Montenegro",
        aliases: &[],
    },
    Country {
        code: "MF",
        name: "Saint Martin (French part)",
        aliases: &["Saint Martin"],
    },
    Country {
        code: "MG",
        name: "Madagascar",
        aliases: &["Republic of Madagascar"],
    },
    Country {
        code: "MH",
        name: "Marshall Islands",
        aliases: &["Republic of the Marshall Islands"],
    },
    Country {
        code: "MK",
        name: "North Macedonia",
        aliases: &[
            "Republic of North Macedonia",
            "North Macedonia, The Republic of",
            "Macedonia",
            "The former Yugoslav Republic of Macedonia",
            "Macedonia, The Former Yugoslav Republic of",
        ],
    },
    Country {
        code: "ML",
        name: "Mali",
        aliases: &["Republic of Mali", "Northern Mali"],
    },
    Country {
        code: "MM",
        name: "Myanmar",
        aliases: &["Republic of Myanmar", "Burma"],
    },
    Country {
        code: "MN",
        name: "Mongolia",
        aliases: &[],
    },
    Country {
        code: "MO",
        name: "Macau",
        aliases: &[
            "Macao",
            "Macao Special Administrative Region of China",
            "Macau SAR",
            "Macao SAR",
            "Macau, China",
            "China, Macao Special Administrative Region",
        ],
    },
    Country {
        code: "MP",
        name: "Northern Mariana Islands",
        aliases: &["Commonwealth of the Northern Mariana Islands"],
    },
    Country {
        code: "MQ",
        name: "Martinique",
        aliases: &[],
    },
    Country {
        code: "MR",
        name: "Mauritania",
        aliases: &["Islamic Republic of Mauritania"],
    },
    Country {
        code: "MS",
        name: "Montserrat",
        aliases: &[],
    },
    Country {
        code: "MT",
        name: "Malta",
        aliases: &["Republic of Malta"],
    },
    Country {
        code: "MU",
        name: "Mauritius",
        aliases: &["Republic of Mauritius"],
    },
    Country {
        code: "MV",
        name: "Maldives",
        aliases: &["Republic of Maldives"],
    },
    Country {
        code: "MW",
        name: "Malawi",
        aliases: &["Republic of Malawi"],
    },
    Country {
        code: "MX",
        name: "Mexico",
        aliases: &["United Mexican States"],
    },
    Country {
        code: "MY",
        name: "Malaysia",
        aliases: &[],
    },
    Country {
        code: "MZ",
        name: "Mozambique",
        aliases: &["Republic of Mozambique"],
    },
    Country {
        code: "NA",
        name: "Namibia",
        aliases: &["Republic of Namibia"],
    },
    Country {
        code: "NC",
        name: "New Caledonia",
        aliases: &[],
    },
    Country {
        code: "NE",
        name: "Niger",
        aliases: &["Republic of the Niger"],
    },
    Country {
        code: "NF",
        name: "Norfolk Island",
        aliases: &[],
    },
    Country {
        code: "NG",
        name: "Nigeria",
        aliases: &["Federal Republic of Nigeria"],
    },
    Country {
        code: "NI",
        name: "Nicaragua",
        aliases: &["Republic of Nicaragua"],
    },
    Country {
        code: "NL",
        name: "Netherlands",
        aliases: &["Kingdom of the Netherlands", "The Netherlands", "Holland"],
    },
    Country {
        code: "NO",
        name: "Norway",
        aliases: &["Kingdom of Norway"],
    },
    Country {
        code: "NP",
        name: "Nepal",
        aliases: &["Federal Democratic Republic of Nepal"],
    },
    Country {
        code: "NR",
        name: "Nauru",
        aliases: &["Republic of Nauru"],
    },
    Country {
        code: "NU",
        name: "Niue",
        aliases: &[],
    },
    Country {
        code: "NZ",
        name: "New Zealand",
        aliases: &[],
    },
    Country {
        code: "OM",
        name: "Oman",
        aliases: &["Sultanate of Oman"],
    },
    Country {
        code: "PA",
        name: "Panama",
        aliases: &["Republic of Panama"],
    },
    Country {
        code: "PE",
        name: "Peru",
        aliases: &["Republic of Peru"],
    },
    Country {
        code: "PF",
        name: "French Polynesia",
        aliases: &[],
    },
    Country {
        code: "PG",
        name: "Papua New Guinea",
        aliases: &["Independent State of Papua New Guinea"],
    },
    Country {
        code: "PH",
        name: "Philippines",
        aliases: &["Republic of the Philippines", "The Philippines"],
    },
    Country {
        code: "PK",
        name: "Pakistan",
        aliases: &["Islamic Republic of Pakistan"],
    },
    Country {
        code: "PL",
        name: "Poland",
        aliases: &["Republic of Poland"],
    },
    Country {
        code: "PM",
        name: "Saint Pierre and Miquelon",
        aliases: &[],
    },
    Country {
        code: "PN",
        name: "Pitcairn",
        aliases: &[],
    },
    Country {
        code: "PR",
        name: "Puerto Rico",
        aliases: &[],
    },
    Country {
        code: "PS",
        name: "Palestine",
        aliases: &[
            "Palestine, State of",
            "State of Palestine",
            "Palestinian",
            "Palestinian Territories",
            "Palestinian Territory",
            "West Bank",
            "Gaza",
            "Gaza Strip",
            "West Bank and Gaza",
            "North Gaza",
            "Northern Gaza",
            "possibly Palestinian",
        ],
    },
    Country {
        code: "PT",
        name: "Portugal",
        aliases: &["Portuguese Republic"],
    },
    Country {
        code: "PW",
        name: "Palau",
        aliases: &["Republic of Palau"],
    },
    Country {
        code: "PY",
        name: "Paraguay",
        aliases: &["Republic of Paraguay"],
    },
    Country {
        code: "QA",
        name: "Qatar",
        aliases: &["State of Qatar"],
    },
    Country {
        code: "RE",
        name: "Réunion",
        aliases: &["Reunion"],
    },
    Country {
        code: "RO",
        name: "Romania",
        aliases: &[],
    },
    Country {
        code: "RS",
        name: "Serbia",
        aliases: &["Republic of Serbia"],
    },
    Country {
        code: "RU",
        name: "Russia",
        aliases: &["Russian Federation"],
    },
    Country {
        code: "RW",
        name: "Rwanda",
        aliases: &["Rwandese Republic"],
    },
    Country {
        code: "SA",
        name: "Saudi Arabia",
        aliases: &["Kingdom of Saudi Arabia"],
    },
    Country {
        code: "SB",
        name: "Solomon Islands",
        aliases: &[],
    },
    Country {
        code: "SC",
        name: "Seychelles",
        aliases: &["Republic of Seychelles"],
    },
    Country {
        code: "SD",
        name: "Sudan",
        aliases: &["Republic of the Sudan"],
    },
    Country {
        code: "SE",
        name: "Sweden",
        aliases: &["Kingdom of Sweden"],
    },
    Country {
        code: "SG",
        name: "Singapore",
        aliases: &["Republic of Singapore"],
    },
    Country {
        code: "SH",
        name: "Saint Helena, Ascension and Tristan da Cunha",
        aliases: &[],
    },
    Country {
        code: "SI",
        name: "Slovenia",
        aliases: &["Republic of Slovenia"],
    },
    Country {
        code: "SJ",
        name: "Svalbard and Jan Mayen",
        aliases: &[],
    },
    Country {
        code: "SK",
        name: "Slovakia",
        aliases: &["Slovak Republic"],
    },
    Country {
        code: "SL",
        name: "Sierra Leone",
        aliases: &["Republic of Sierra Leone"],
    },
    Country {
        code: "SM",
        name: "San Marino",
        aliases: &["Republic of San Marino"],
    },
    Country {
        code: "SN",
        name: "Senegal",
        aliases: &["Republic of Senegal"],
    },
    Country {
        code: "SO",
        name: "Somalia",
        aliases: &["Federal Republic of Somalia"],
    },
    Country {
        code: "SR",
        name: "Suriname",
        aliases: &["Republic of Suriname"],
    },
    Country {
        code: "SS",
        name: "South Sudan",
        aliases: &["Republic of South Sudan"],
    },
    Country {
        code: "ST",
        name: "Sao Tome and Principe",
        aliases: &["Democratic Republic of Sao Tome and Principe"],
    },
    Country {
        code: "SV",
        name: "El Salvador",
        aliases: &["Republic of El Salvador"],
    },
    Country {
        code: "SX",
        name: "Sint Maarten (Dutch part)",
        aliases: &["Sint Maarten"],
    },
    Country {
        code: "SY",
        name: "Syria",
        aliases: &["Syrian Arab Republic"],
    },
    Country {
        code: "SZ",
        name: "Eswatini",
        aliases: &["Kingdom of Eswatini", "Swaziland"],
    },
    Country {
        code: "TC",
        name: "Turks and Caicos Islands",
        aliases: &[],
    },
    Country {
        code: "TD",
        name: "Chad",
        aliases: &["Republic of Chad"],
    },
    Country {
        code: "TF",
        name: "French Southern Territories",
        aliases: &[],
    },
    Country {
        code: "TG",
        name: "Togo",
        aliases: &["Togolese Republic"],
    },
    Country {
        code: "TH",
        name: "Thailand",
        aliases: &["Kingdom of Thailand"],
    },
    Country {
        code: "TJ",
        name: "Tajikistan",
        aliases: &["Republic of Tajikistan"],
    },
    Country {
        code: "TK",
        name: "Tokelau",
        aliases: &[],
    },
    Country {
        code: "TL",
        name: "Timor-Leste",
        aliases: &["Democratic Republic of Timor-Leste", "East Timor"],
    },
    Country {
        code: "TM",
        name: "Turkmenistan",
        aliases: &[],
    },
    Country {
        code: "TN",
        name: "Tunisia",
        aliases: &["Republic of Tunisia"],
    },
    Country {
        code: "TO",
        name: "Tonga",
        aliases: &["Kingdom of Tonga"],
    },
    Country {
        code: "TR",
        name: "Türkiye",
        aliases: &["Republic of Türkiye", "Turkey", "Turkiye"],
    },
    Country {
        code: "TT",
        name: "Trinidad and Tobago",
        aliases: &["Republic of Trinidad and Tobago"],
    },
    Country {
        code: "TV",
        name: "Tuvalu",
        aliases: &[],
    },
    Country {
        code: "TW",
        name: "Taiwan",
        aliases: &[
            "Taiwan, Province of China",
            "Republic of China",
            "Chinese Taipei",
            "Taiwan (Province of China)",
        ],
    },
    Country {
        code: "TZ",
        name: "Tanzania",
        aliases: &[
            "Tanzania, United Republic of",
            "United Republic of Tanzania",
        ],
    },
    Country {
        code: "UA",
        name: "Ukraine",
        aliases: &["Crimea", "Crimea region of Ukraine", "Crimea (occupied)"],
    },
    Country {
        code: "UG",
        name: "Uganda",
        aliases: &["Republic of Uganda"],
    },
    Country {
        code: "UM",
        name: "United States Minor Outlying Islands",
        aliases: &[],
    },
    Country {
        code: "US",
        name: "United States",
        aliases: &["United States of America", "USA", "U.S.", "U.S.A."],
    },
    Country {
        code: "UY",
        name: "Uruguay",
        aliases: &["Eastern Republic of Uruguay"],
    },
    Country {
        code: "UZ",
        name: "Uzbekistan",
        aliases: &["Republic of Uzbekistan"],
    },
    Country {
        code: "VA",
        name: "Holy See",
        aliases: &["Holy See (Vatican City State)", "Vatican", "Vatican City"],
    },
    Country {
        code: "VC",
        name: "Saint Vincent and the Grenadines",
        aliases: &["St. Vincent and the Grenadines"],
    },
    Country {
        code: "VE",
        name: "Venezuela",
        aliases: &[
            "Venezuela, Bolivarian Republic of",
            "Bolivarian Republic of Venezuela",
            "Venezuela (Bolivarian Republic of)",
        ],
    },
    Country {
        code: "VG",
        name: "Virgin Islands, British",
        aliases: &["British Virgin Islands"],
    },
    Country {
        code: "VI",
        name: "Virgin Islands, U.S.",
        aliases: &["Virgin Islands of the United States", "U.S. Virgin Islands"],
    },
    Country {
        code: "VN",
        name: "Vietnam",
        aliases: &["Viet Nam", "Socialist Republic of Viet Nam"],
    },
    Country {
        code: "VU",
        name: "Vanuatu",
        aliases: &["Republic of Vanuatu"],
    },
    Country {
        code: "WF",
        name: "Wallis and Futuna",
        aliases: &[],
    },
    Country {
        code: "WS",
        name: "Samoa",
        aliases: &["Independent State of Samoa"],
    },
    Country {
        code: "XK",
        name: "Kosovo",
        aliases: &["Republic of Kosovo"],
    },
    Country {
        code: "YE",
        name: "Yemen",
        aliases: &["Republic of Yemen"],
    },
    Country {
        code: "YT",
        name: "Mayotte",
        aliases: &[],
    },
    Country {
        code: "ZA",
        name: "South Africa",
        aliases: &["Republic of South Africa"],
    },
    Country {
        code: "ZM",
        name: "Zambia",
        aliases: &["Republic of Zambia"],
    },
    Country {
        code: "ZW",
        name: "Zimbabwe",
        aliases: &["Republic of Zimbabwe"],
    },
];

/// The country with ISO-2 `code` (case-insensitive).
pub fn by_code(code: &str) -> Option<&'static Country> {
    let code = code.trim().to_ascii_uppercase();
    COUNTRIES
        .binary_search_by(|c| c.code.cmp(code.as_str()))
        .ok()
        .and_then(|i| COUNTRIES.get(i))
}

/// Whether `code` is a known ISO-2 code (case-insensitive).
pub fn is_known_code(code: &str) -> bool {
    by_code(code).is_some()
}

/// The ISO-2 code for a country name or code as the lists write it, ignoring case, punctuation
/// and spacing. A `Region:` prefix (OFAC writes `Region: Crimea`) is looked through. Returns
/// `None` for a name that is not known, and deliberately for places that are not one country
/// (`undetermined`, `former Soviet Union`, `Region: Kafia Kingi`, `Region: Jammu and Kashmir`).
pub fn code_for_name(name: &str) -> Option<&'static str> {
    let key = fold(name);
    if key.is_empty() {
        return None;
    }
    if key.len() == 2
        && let Some(c) = by_code(&key)
    {
        return Some(c.code);
    }
    let index = name_index();
    if let Some(code) = index.get(key.as_str()) {
        return Some(code);
    }
    key.strip_prefix("REGION")
        .and_then(|rest| index.get(rest))
        .copied()
}

/// Folded name or alias → code, built once.
fn name_index() -> &'static HashMap<String, &'static str> {
    static INDEX: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = HashMap::new();
        for country in COUNTRIES {
            for name in std::iter::once(&country.name).chain(country.aliases) {
                index.entry(fold(name)).or_insert(country.code);
            }
        }
        index
    })
}

fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes_resolve() {
        assert_eq!(code_for_name("China"), Some("CN"));
        assert_eq!(code_for_name("russian federation"), Some("RU"));
        assert_eq!(code_for_name("cn"), Some("CN"));
        assert_eq!(code_for_name("Atlantis"), None);
        assert_eq!(code_for_name(""), None);
    }

    #[test]
    fn official_list_spellings_resolve() {
        let cases = [
            ("Korea, North", "KP"),
            ("Democratic People's Republic of Korea", "KP"),
            ("Iran (Islamic Republic of)", "IR"),
            ("Burma", "MM"),
            ("Syrian Arab Republic", "SY"),
            ("Viet Nam", "VN"),
            ("Congo, Democratic Republic of the", "CD"),
            ("Congo, Republic of the", "CG"),
            ("Türkiye", "TR"),
            ("TURKIYE", "TR"),
            ("Czech Republic", "CZ"),
            ("Palestinian", "PS"),
            ("Region: West Bank", "PS"),
            ("Kosovo", "XK"),
            ("Crimea region of Ukraine", "UA"),
            ("CRIMEA (OCCUPIED)", "UA"),
            ("Taiwan", "TW"),
            ("Macao", "MO"),
            ("UK", "GB"),
            ("United Kingdom of Great Britain and Northern Ireland", "GB"),
            ("Man, Isle of", "IM"),
            ("Cote d Ivoire", "CI"),
            ("Bahamas, The", "BS"),
            ("North Macedonia, The Republic of", "MK"),
            ("China, Hong Kong Special Administrative Region", "HK"),
        ];
        for (name, code) in cases {
            assert_eq!(code_for_name(name), Some(code), "{name}");
        }
        for name in [
            "undetermined",
            "former Soviet Union",
            "Region: Kafia Kingi",
            "-0-",
        ] {
            assert_eq!(code_for_name(name), None, "{name}");
        }
    }

    #[test]
    fn every_code_is_two_ascii_capitals_and_names_are_unambiguous() {
        let mut seen: HashMap<String, &str> = HashMap::new();
        for c in COUNTRIES {
            assert!(c.code.len() == 2 && c.code.bytes().all(|b| b.is_ascii_uppercase()));
            for name in std::iter::once(&c.name).chain(c.aliases) {
                let previous = seen.insert(fold(name), c.code);
                assert!(
                    previous.is_none_or(|p| p == c.code),
                    "{name} names {previous:?} and {}",
                    c.code
                );
            }
        }
        assert!(COUNTRIES.len() >= 249);
    }

    #[test]
    fn table_is_sorted_by_code_without_duplicates() {
        for pair in COUNTRIES.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} then {}",
                pair[0].code,
                pair[1].code
            );
        }
    }
}
