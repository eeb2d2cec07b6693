/**
 * Importing an existing patient base from a practice export (CSV): the host detects encoding and
 * separator and proposes a column mapping the user corrects; every line is validated, nothing is
 * written while one line is wrong; importing the same file again creates nothing. The host reads,
 * checks and writes in its worker thread and reports progress (patients.import.progress).
 */
import { useState } from 'react';
import { errorCatalog } from '../../../electron/contract';
import { IMPORT_MAX_BYTES } from '../../../electron/contract/domains/patients';
import { HostError } from '../../bridge/types';
import { useHostMutation, useLatestEvent } from '../../bridge/queries';
import { navigate } from '../../app/router';
import { Button, ErrorNotice, Panel, ProgressBar, StatusBadge, useToast } from '../../ui';

const FIELD_LABELS = {
  ignore: '— ignorer —',
  birthName: 'Nom de naissance',
  birthGivenNames: 'Prénoms de naissance',
  firstGivenName: 'Premier prénom',
  birthDate: 'Date de naissance',
  sex: 'Sexe',
  birthPlaceCode: 'Lieu de naissance (COG)',
  usedName: 'Nom utilisé',
  usedGivenName: 'Prénom utilisé',
  declaredNir: 'NIR déclaré',
  externalId: 'N° dans l’ancien logiciel',
} as const;
type ImportField = keyof typeof FIELD_LABELS;

const ENCODING_LABELS: Record<string, string> = {
  'utf-8': 'UTF-8',
  'windows-1252': 'Windows-1252',
  'utf-16le': 'UTF-16 (« Texte Unicode » d’Excel)',
  'utf-16be': 'UTF-16 gros-boutiste',
};
const SEPARATOR_LABELS: Record<string, string> = { ';': '« ; »', ',': '« , »', '\t': 'tabulation', '|': '« | »' };
const PHASE_LABELS = { reading: 'Lecture du fichier', checking: 'Vérification des lignes', writing: 'Enregistrement des patients' } as const;

async function toBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function PatientImport() {
  const [content, setContent] = useState<{ name: string; base64: string } | null>(null);
  const [mapping, setMapping] = useState<Record<string, ImportField>>({});
  const preview = useHostMutation('patients.import.preview');
  const commit = useHostMutation('patients.import.commit', ['patients.search']);
  const toast = useToast();
  const progress = useLatestEvent('patients.import.progress');
  const [refused, setRefused] = useState<HostError | null>(null);
  const data = preview.data;
  const validation = data?.validation ?? null;
  const working = preview.isPending || commit.isPending;

  const load = async (file: File) => {
    setRefused(null);
    // Too large: said before reading it (the host would refuse it for the same reason).
    if (file.size > IMPORT_MAX_BYTES) {
      setContent(null);
      setRefused(new HostError({ code: 'PATIENTS_IMPORT_TOO_LARGE', message: errorCatalog.PATIENTS_IMPORT_TOO_LARGE, details: { bytes: file.size } }));
      return;
    }
    const base64 = await toBase64(file);
    setContent({ name: file.name, base64 });
    preview.mutate({ contentBase64: base64 }, { onSuccess: (result) => setMapping(result.suggestedMapping) });
  };
  const validate = () => content && preview.mutate({ contentBase64: content.base64, mapping });

  return (
    <Panel title="Importer une base patients (CSV)" actions={<Button onClick={() => navigate('/patient')}>Retour</Button>}>
      <p className="muted">
        Export de l’ancien logiciel au format CSV ou « Texte Unicode » (séparateur « ; », « , » ou tabulation ; UTF-8, UTF-16 ou Windows-1252 ; 20 Mo et 100 000 lignes au plus). Rien n’est importé tant que toutes les lignes ne sont pas valides ; un même fichier importé deux fois ne crée aucun doublon ; un import interrompu reprend là où il s’était arrêté si vous importez à nouveau le même fichier.
      </p>
      <label className="btn btn-primary file-picker">
        Choisir le fichier CSV…
        <input type="file" accept=".csv,.txt,text/csv,text/plain" aria-label="Fichier CSV" data-testid="import-file" onChange={(event) => event.target.files?.[0] && void load(event.target.files[0])} />
      </label>
      {refused ? <ErrorNotice error={refused} /> : null}
      {preview.error ? <ErrorNotice error={preview.error} /> : null}
      {working && progress !== null ? (
        <div data-testid="import-progress">
          <ProgressBar value={progress.phase === 'reading' ? 0 : progress.done} max={progress.phase === 'reading' ? 1 : progress.total} label={PHASE_LABELS[progress.phase]} />
        </div>
      ) : null}
      {data && content ? (
        <>
          <p>
            <strong>{content.name}</strong> · encodage {ENCODING_LABELS[data.encoding] ?? data.encoding} · séparateur {SEPARATOR_LABELS[data.separator] ?? data.separator}{' '}
            {data.alreadyImported ? <StatusBadge tone="warn">déjà importé</StatusBadge> : null}
          </p>
          <table className="table mapping" data-testid="import-mapping">
            <thead>
              <tr>
                <th>Colonne du fichier</th>
                <th>Correspond à</th>
                <th>Exemples</th>
              </tr>
            </thead>
            <tbody>
              {data.headers.map((header, column) => (
                <tr key={header}>
                  <td>{header}</td>
                  <td>
                    <select aria-label={`Champ pour ${header}`} value={mapping[header] ?? 'ignore'} onChange={(event) => setMapping((m) => ({ ...m, [header]: event.target.value as ImportField }))}>
                      {(Object.keys(FIELD_LABELS) as ImportField[]).map((field) => (
                        <option key={field} value={field}>
                          {FIELD_LABELS[field]}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td className="muted">
                    {data.sampleRows
                      .slice(0, 3)
                      .map((row) => row[column] ?? '')
                      .join(' · ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="form-actions">
            <Button onClick={validate} busy={preview.isPending}>
              Vérifier toutes les lignes
            </Button>
            <Button
              variant="primary"
              data-testid="import-commit"
              disabled={validation === null || validation.invalid > 0 || validation.toCreate === 0}
              busy={commit.isPending}
              onClick={() =>
                commit.mutate(
                  { contentBase64: content.base64, mapping },
                  { onSuccess: (result) => toast('ok', `Import terminé : ${result.created} patient(s) créé(s), ${result.existing} déjà présent(s).`) },
                )
              }
            >
              Importer {validation ? `${validation.toCreate} patient(s)` : ''}
            </Button>
          </div>
          {validation ? (
            <div data-testid="import-report">
              <p>
                {validation.lines} ligne(s) · {validation.valid} valide(s) · <strong>{validation.invalid} invalide(s)</strong> · {validation.existing} déjà dans la base · {validation.duplicatesInFile} doublon(s) dans le fichier · {validation.toCreate} à créer
              </p>
              {(preview.data?.probableDuplicates ?? 0) > 0 ? (
                <p className="notice notice-warn" data-testid="import-look-alikes">
                  {preview.data?.probableDuplicates} ligne(s) ressemblent à un patient déjà présent (nom, prénoms, date de naissance et sexe proches) : elles seront créées et proposées dans « Doublons potentiels » pour être fusionnées ou écartées.
                </p>
              ) : null}
              {validation.issues.length > 0 ? (
                <table className="table">
                  <thead>
                    <tr>
                      <th>Ligne</th>
                      <th>Motif</th>
                    </tr>
                  </thead>
                  <tbody>
                    {validation.issues.map((issue) => (
                      <tr key={issue.line}>
                        <td>{issue.line}</td>
                        <td>{issue.reasons.join(' ; ')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : null}
              {validation.issuesTruncated ? <p className="muted">Seules les 1 000 premières lignes en erreur sont affichées.</p> : null}
            </div>
          ) : null}
          {commit.error ? <ErrorNotice error={commit.error} /> : null}
          {commit.data ? (
            <div className="notice notice-ok" role="status">
              Import n° {commit.data.importId} : {commit.data.created} créé(s), {commit.data.existing} existant(s). Les identités importées sont provisoires : lancez la qualification par lot depuis « Identités (INS) ».
              {commit.data.probableDuplicates > 0 ? (
                <div>
                  {commit.data.probableDuplicates} doublon(s) potentiel(s) à examiner.{' '}
                  <Button onClick={() => navigate('/patient/doublons')}>Voir les doublons potentiels</Button>
                </div>
              ) : null}
            </div>
          ) : null}
        </>
      ) : null}
    </Panel>
  );
}
