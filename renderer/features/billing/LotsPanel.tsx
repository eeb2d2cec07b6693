/**
 * Lots and their state (to send, sent, acknowledged, refused, re-sent, paper duplicate needed),
 * with what happens next or what to do, « Synchroniser maintenant », and the paper duplicates to
 * print when a lot failed twice.
 */
import { useState } from 'react';
import type { LotView } from '../../../electron/contract/domains/billing';
import { useHostMutation, useHostQuery } from '../../bridge/queries';
import { Button, ErrorNotice, Panel, StatusBadge, useToast } from '../../ui';
import { euros, LOT_STATE_LABELS, LOT_STATE_TONES, shortDate } from './format';
import { PaperDuplicates } from './PaperDuplicates';

export function LotsPanel() {
  const toast = useToast();
  const lots = useHostQuery('billing.lots', { limit: 200 });
  const sync = useHostMutation('billing.sync', ['billing.lots', 'billing.status', 'billing.deadlines', 'billing.invoices']);
  const [printing, setPrinting] = useState(false);
  const list = lots.data?.lots ?? [];
  const needsPaper = list.some((l) => l.state === 'paper_duplicate');
  return (
    <Panel
      title="Lots et accusés de réception"
      actions={
        <>
          {needsPaper ? (
            <Button variant="danger" onClick={() => setPrinting(true)} data-testid="billing-print-duplicates">
              Duplicatas papier à envoyer…
            </Button>
          ) : null}
          <Button
            variant="primary"
            busy={sync.isPending}
            onClick={() =>
              sync.mutate({}, {
                onSuccess: (r) => {
                  if (r.error !== null) toast('warn', r.error);
                  else toast('ok', `Synchronisation : ${r.sent} lot${r.sent > 1 ? 's' : ''} envoyé${r.sent > 1 ? 's' : ''}, ${r.acknowledged} accusé${r.acknowledged > 1 ? 's' : ''} de réception.`);
                },
                onError: (e) => toast('error', e.message),
              })
            }
            data-testid="billing-sync"
          >
            Synchroniser maintenant
          </Button>
        </>
      }
    >
      {lots.error ? <ErrorNotice error={lots.error} /> : null}
      {list.length === 0 ? (
        <p className="empty">Aucun lot : les lots se forment à la fermeture de la session (ou la veille du délai légal).</p>
      ) : (
        <table className="table" data-testid="billing-lots">
          <thead>
            <tr>
              <th style={{ width: '70px' }}>Lot</th>
              <th>Organisme destinataire</th>
              <th style={{ width: '80px' }}>Factures</th>
              <th style={{ width: '100px' }}>Montant</th>
              <th style={{ width: '200px' }}>État</th>
              <th>Suite</th>
            </tr>
          </thead>
          <tbody>
            {list.map((lot: LotView) => (
              <tr key={lot.id} data-testid="billing-lot" data-lot-state={lot.state}>
                <td>
                  n° {lot.number}
                  {lot.kind === 'fse-degradee' ? <div className="muted">dégradé</div> : null}
                </td>
                <td>{lot.organism.label}</td>
                <td>{lot.invoiceCount}</td>
                <td>{euros(lot.totalCents)}</td>
                <td>
                  <StatusBadge tone={LOT_STATE_TONES[lot.state]}>{LOT_STATE_LABELS[lot.state]}</StatusBadge>
                  {lot.state === 'to_send' ? <div className="muted">délai {shortDate(lot.deadline)}</div> : null}
                </td>
                <td data-testid="billing-lot-next">{lot.next}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <PaperDuplicates open={printing} onClose={() => setPrinting(false)} />
    </Panel>
  );
}
