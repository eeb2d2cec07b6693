/**
 * After a Vitale read — or an appli carte Vitale context, which gives the same beneficiaries:
 * every beneficiary, chosen with the arrow keys (or 1-9) and Entrée. The chosen person is found in
 * the local base (NIR, then names and birth date); when no record matches, the desk asks before
 * creating one from the traits (issue 13), and a probable duplicate (DUPOND read, Dupont in the
 * base) is shown for the desk to decide. Then their record opens, and their rights are asked from
 * ADRi (shown on the record; « non vérifiés » offline). A card that cannot be read shows its error
 * and no list: never the previous card's beneficiaries.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Beneficiary } from '../../../electron/contract/domains/cards';
import { navigate } from '../../app/router';
import { useBridge, useHostQuery } from '../../bridge/queries';
import { HostError } from '../../bridge/types';
import { Button, Dialog, ErrorNotice } from '../../ui';
import { onlyMatch, sameBirthDate, sameGivenName } from './record-match';

/** Where the beneficiaries come from: a carte Vitale in a reader, or an appli carte Vitale context. */
export type BeneficiarySource = { kind: 'vitale'; reader: string | null } | { kind: 'apcv'; contextId: string };

interface Coverage {
  source: 'vitale' | 'apcv';
  regime: string | null;
  caisse: string | null;
  centre: string | null;
}

function useBeneficiaries(source: BeneficiarySource, open: boolean) {
  const vitale = useHostQuery('cards.readVitale', source.kind === 'vitale' && source.reader ? { reader: source.reader } : {}, { enabled: open && source.kind === 'vitale' });
  const apcv = useHostQuery('apcv.context', { contextId: source.kind === 'apcv' ? source.contextId : '' }, { enabled: open && source.kind === 'apcv' });
  if (source.kind === 'vitale') {
    const d = vitale.data;
    return { ...vitale, beneficiaries: d?.beneficiaries ?? [], coverage: d ? ({ source: 'vitale', regime: d.regime, caisse: d.caisse, centre: d.centre } as Coverage) : null };
  }
  const d = apcv.data;
  return { ...apcv, beneficiaries: d?.state === 'open' ? d.beneficiaries : [], coverage: d ? ({ source: 'apcv', ...d.coverage } as Coverage) : null };
}

export function BeneficiaryPicker({ open, source, onClose }: { open: boolean; source: BeneficiarySource; onClose(): void }) {
  const vitale = useBeneficiaries(source, open);
  const bridge = useBridge();
  const [active, setActive] = useState(0);
  const [sexChoice, setSexChoice] = useState<Record<number, 'F' | 'M'>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [confirmCreate, setConfirmCreate] = useState<{ beneficiary: Beneficiary; sex: 'F' | 'M' } | null>(null);
  // Probable duplicates of the chosen beneficiary (DUPOND read, Dupont in the base): the desk decides.
  const [lookAlikes, setLookAlikes] = useState<{ beneficiary: Beneficiary; sex: 'F' | 'M'; ids: string[] } | null>(null);
  const list = useRef<HTMLUListElement>(null);
  // react-query keeps the last data when a refetch fails: an error means no list at all.
  const beneficiaries = vitale.error ? [] : vitale.beneficiaries;
  const close = () => {
    setConfirmCreate(null);
    setLookAlikes(null);
    setError(null);
    onClose();
  };

  useEffect(() => {
    if (open && beneficiaries.length > 0) list.current?.focus();
  }, [open, beneficiaries.length]);

  const openPatient = async (b: Beneficiary) => {
    const sex = b.sex ?? sexChoice[b.index];
    if (sex === undefined) {
      setError(new Error('Indiquez le sexe de ce bénéficiaire (F ou M) : la carte ne le porte pas sans NIR propre.'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const byNir = b.nir ? await bridge.invoke('patients.search', { nir: b.nir, limit: 5 }) : null;
      const byTraits = await bridge.invoke('patients.search', { query: `${b.surname} ${b.givenName}`, birthDate: b.birthDate.display, limit: 10 });
      const candidates = [...(byNir?.results ?? []), ...byTraits.results];
      // Same birth date as the card, the whole given name when found by name (a prefix is not the
      // same person: « LEA » finds « LEANE »), and one record only: a twin or a homonym is never opened for it.
      const byNirIds = new Set(byNir?.results.map((p) => p.id) ?? []);
      const accept = (p: (typeof candidates)[number]) => p.sex === sex && (byNirIds.has(p.id) || sameGivenName(p, b.givenName));
      const found = onlyMatch(candidates, b.birthDate.raw, accept);
      if (found === null && candidates.some((p) => p.match === 'exact' && accept(p) && sameBirthDate(p.birthDate, b.birthDate.raw))) {
        setError(new Error('Plusieurs fiches correspondent à ce bénéficiaire : ouvrez la bonne depuis la recherche de patients.'));
        return;
      }
      if (found === null) {
        // No record for this person: creating one is a decision, asked for (never a side effect of Entrée).
        setConfirmCreate({ beneficiary: b, sex });
        return;
      }
      askRights(found.id, b);
      close();
      navigate(`/patient/${found.id}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  // ADRi after the read (cards.md §3: « le service ADRi est appelé systématiquement »); never blocks the desk.
  const askRights = (patientId: string, b: Beneficiary) => {
    const c = vitale.coverage;
    if (c === null || !/^\d{8}$/.test(b.birthDate.raw)) return;
    void bridge
      .invoke('adri.acquire', {
        patientId,
        coverage: { ...c, insuredNir: b.insuredNir, beneficiaryNir: b.nir, birthDate: b.birthDate.raw, birthRank: b.birthRank },
      })
      .catch(() => undefined);
  };

  const create = async ({ beneficiary: b, sex }: { beneficiary: Beneficiary; sex: 'F' | 'M' }, acknowledgeDuplicates = false) => {
    setBusy(true);
    setError(null);
    try {
      const created = await bridge.invoke('patients.create', {
        strictTraits: { birthName: b.surname, birthGivenNames: b.givenName, birthDate: b.birthDate.display, sex },
        ...(b.usedName ? { usedTraits: { usedName: b.usedName } } : {}),
        declaredNir: b.nir,
        acknowledgeDuplicates,
        // Probable duplicates (same traits, or alike: DUPOND / Dupont) are refused and shown below.
        source: 'vitale',
      });
      askRights(created.patient.id, b);
      close();
      navigate(`/patient/${created.patient.id}`);
    } catch (e) {
      if (e instanceof HostError && e.code === 'PATIENT_DUPLICATE_SUSPECTED') {
        setConfirmCreate(null);
        setLookAlikes({ beneficiary: b, sex, ids: (e.details?.candidateIds as string[] | undefined) ?? [] });
      } else setError(e);
    } finally {
      setBusy(false);
    }
  };

  const onKey = (event: KeyboardEvent) => {
    if (beneficiaries.length === 0) return;
    if (event.key === 'ArrowDown') setActive((i) => Math.min(i + 1, beneficiaries.length - 1));
    else if (event.key === 'ArrowUp') setActive((i) => Math.max(i - 1, 0));
    else if (event.key === 'Home') setActive(0);
    else if (event.key === 'End') setActive(beneficiaries.length - 1);
    else if (/^[1-9]$/.test(event.key) && Number(event.key) <= beneficiaries.length) setActive(Number(event.key) - 1);
    else if ((event.key === 'f' || event.key === 'F' || event.key === 'm' || event.key === 'M') && beneficiaries[active]?.sex === null) {
      setSexChoice((c) => ({ ...c, [active]: event.key.toUpperCase() as 'F' | 'M' }));
    } else if (event.key === 'Enter') {
      const b = beneficiaries[active];
      if (b) void openPatient(b);
    } else return;
    event.preventDefault();
  };

  return (
    <Dialog
      open={open}
      title={source.kind === 'apcv' ? 'Bénéficiaires de l’appli carte Vitale' : 'Bénéficiaires de la carte Vitale'}
      onClose={close}
      actions={<Button onClick={close}>Fermer</Button>}
    >
      <div data-testid="beneficiary-picker">
        {vitale.isLoading ? <p>{source.kind === 'apcv' ? 'Lecture de la session…' : 'Lecture de la carte…'}</p> : null}
        {vitale.error ? <ErrorNotice error={vitale.error} /> : null}
        {error ? <ErrorNotice error={error} /> : null}
        {lookAlikes !== null ? (
          <div className="notice notice-warn" role="alert" data-testid="vitale-look-alikes">
            <strong>Un patient semblable existe déjà dans la base (doublon potentiel).</strong>
            <div>
              {lookAlikes.ids.map((id, i) => (
                <Button
                  key={id}
                  onClick={() => {
                    close();
                    navigate(`/patient/${id}`);
                  }}
                >
                  Ouvrir la fiche semblable{lookAlikes.ids.length > 1 ? ` ${i + 1}` : ''}
                </Button>
              ))}
              <Button variant="danger" busy={busy} onClick={() => void create(lookAlikes, true)}>
                C’est une autre personne : créer la fiche
              </Button>
              <Button onClick={() => setLookAlikes(null)}>Revenir à la liste</Button>
            </div>
          </div>
        ) : confirmCreate !== null ? (
          <div className="notice notice-info" data-testid="beneficiary-create-confirm">
            <p>
              Aucun dossier de ce poste ne correspond à{' '}
              <strong>
                {confirmCreate.beneficiary.surname} {confirmCreate.beneficiary.givenName}
              </strong>
              , né(e) le {confirmCreate.beneficiary.birthDate.display}. Créer son dossier à partir de {source.kind === 'apcv' ? 'l’appli carte Vitale' : 'la carte Vitale'} (identité provisoire, à qualifier avec l’INSi) ?
            </p>
            <div className="inline">
              <Button variant="primary" busy={busy} onClick={() => void create(confirmCreate)} autoFocus>
                Créer le dossier
              </Button>
              <Button onClick={() => setConfirmCreate(null)}>Revenir à la liste</Button>
            </div>
          </div>
        ) : beneficiaries.length > 0 ? (
          <>
            <p className="muted">Flèches haut/bas ou 1 à {beneficiaries.length} pour choisir, F ou M pour le sexe s’il manque, Entrée pour ouvrir le dossier.</p>
            <ul
              ref={list}
              role="listbox"
              tabIndex={0}
              aria-label="Bénéficiaires"
              aria-activedescendant={`beneficiary-${active}`}
              onKeyDown={onKey}
              className="audit-list"
              data-testid="beneficiary-list"
            >
              {beneficiaries.map((b, i) => {
                const sex = b.sex ?? sexChoice[b.index];
                return (
                  <li
                    key={b.index}
                    id={`beneficiary-${i}`}
                    role="option"
                    aria-selected={i === active}
                    className={`identity-line ${i === active ? 'badge badge-info' : ''}`}
                    onClick={() => setActive(i)}
                    onDoubleClick={() => void openPatient(b)}
                    data-testid="beneficiary"
                  >
                    <strong>
                      {i + 1}. {b.surname} {b.givenName}
                    </strong>
                    {b.usedName ? <span className="muted"> (nom d’usage {b.usedName})</span> : null} — né(e) le {b.birthDate.display}
                    {b.birthDate.lunar ? ' (date incomplète)' : ''}
                    {b.birthRank > 1 ? `, rang ${b.birthRank}` : ''} — {b.quality.label}
                    {b.sex === null ? (
                      <span className="attribute-actions">
                        {' '}
                        Sexe :{' '}
                        {(['F', 'M'] as const).map((s) => (
                          <Button key={s} variant={sex === s ? 'primary' : 'ghost'} onClick={() => setSexChoice((c) => ({ ...c, [b.index]: s }))} aria-pressed={sex === s}>
                            {s}
                          </Button>
                        ))}
                      </span>
                    ) : null}
                  </li>
                );
              })}
            </ul>
            <div className="form-actions">
              <Button variant="primary" busy={busy} onClick={() => beneficiaries[active] && void openPatient(beneficiaries[active])} data-testid="beneficiary-open">
                Ouvrir le dossier
              </Button>
            </div>
          </>
        ) : null}
      </div>
    </Dialog>
  );
}
