/** Types for the one talisman module Pupitre uses (the package ships none). */
declare module 'talisman/phonetics/french/fonem.js' {
  /** FONEM code of a name (Bouchard, Brard & Lavoie, Population 36(6), 1981). */
  export default function fonem(name: string): string;
}
