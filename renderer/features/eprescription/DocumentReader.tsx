/** Reads an eP-MED-DM prescription or eDISP-MED dispensation file (any software's) into the prescription view. */
import { useState } from 'react';
import type { MethodResult } from '../../../electron/contract';
import { useHostMutation } from '../../bridge/queries';
import { ErrorNotice, Panel } from '../../ui';

type ReadDocument = MethodResult<'eprescription.document.read'>['document'];

async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function DocumentReader() {
  const read = useHostMutation('eprescription.document.read');
  const [doc, setDoc] = useState<ReadDocument | null>(null);
  return (
    <Panel title="Lire une ordonnance ou une dispensation (fichier CDA)">
      <label className="file-picker btn btn-secondary">
        Choisir un fichier eP-MED-DM / eDISP-MED…
        <input
          type="file"
          accept=".xml,text/xml,application/xml"
          data-testid="erx-document-file"
          onChange={async (e) => {
            const file = e.target.files?.[0];
            if (file === undefined) return;
            read.mutate({ contentBase64: await base64Of(file) }, { onSuccess: (r) => setDoc(r.document) });
          }}
        />
      </label>
      {read.error ? <ErrorNotice error={read.error} /> : null}
      {doc !== null ? <DocumentLines doc={doc} /> : null}
    </Panel>
  );
}

export function DocumentLines({ doc }: { doc: ReadDocument }) {
  return (
    <div className="erx-read" data-testid="erx-read">
      <p>
        <strong>{doc.kind === 'eP-MED-DM' ? 'Prescription' : 'Dispensation'}</strong>
        {doc.number ? ` — e-prescription N° ${doc.number}` : ''}
        {doc.author?.name ? ` — ${doc.author.name}` : ''}
        {doc.patient?.name ? ` — patient ${doc.patient.name}` : ''}
      </p>
      <ol>
        {doc.medications.map((m, i) => (
          <li key={`m${i}`}>
            <strong>{m.name}</strong> <span className="muted">{m.codes.map((c) => `${c.system ?? c.codeSystem} ${c.code}`).join(' · ')}</span>
            {m.posology.text ? <div>{m.posology.text}</div> : null}
            <div className="muted">
              {[
                m.quantity ? `quantité ${m.quantity.value}${m.quantity.unitLabel ? ` ${m.quantity.unitLabel.toLowerCase()}(s)` : ''}` : null,
                m.renewals === null ? null : m.renewals > 0 ? `${m.renewals} renouvellement(s)` : 'non renouvelable',
                m.substitution === null ? null : doc.kind === 'eDISP-MED' ? (m.substitution.reason ?? 'substitué') : m.substitution.allowed ? 'substituable' : `non substituable${m.substitution.reason ? ` — ${m.substitution.reason}` : ''}`,
              ]
                .filter((x) => x !== null)
                .join(' · ')}
            </div>
          </li>
        ))}
        {doc.devices.map((d, i) => (
          <li key={`d${i}`}>
            <strong>{d.name}</strong> <span className="muted">{d.codes.map((c) => `${c.system ?? c.codeSystem} ${c.code}`).join(' · ')}</span>
            {d.quantity !== null ? <div className="muted">quantité {d.quantity}</div> : null}
          </li>
        ))}
      </ol>
    </div>
  );
}
