/**
 * The paper duplicates to send after a lot was refused twice (R161-47): the list to print (one
 * line per invoice: number, date, patient, amounts, caisse), then « envoyés » recorded per invoice.
 */
import type { InvoiceView } from '../../../electron/contract/domains/billing';
import { useHostMutation, useHostQuery } from '../../bridge/queries';
import { Button, Dialog, ErrorNotice, useToast } from '../../ui';
import { euros, shortDate } from './format';

export function PaperDuplicates({ open, onClose }: { open: boolean; onClose(): void }) {
  const toast = useToast();
  const list = useHostQuery('billing.invoices', { paperDuplicate: true, limit: 1000 }, { enabled: open });
  const mark = useHostMutation('billing.markPaperDuplicatesSent', ['billing.invoices', 'billing.status']);
  const toSend = (list.data?.invoices ?? []).filter((i) => i.paperDuplicate !== null && i.paperDuplicate.sentAt === null);
  return (
    <Dialog
      open={open}
      title="Duplicatas papier à envoyer"
      onClose={onClose}
      actions={
        <>
          <Button onClick={onClose}>Fermer</Button>
          <Button onClick={() => window.print()} disabled={toSend.length === 0}>
            Imprimer la liste
          </Button>
          <Button
            variant="primary"
            disabled={toSend.length === 0}
            busy={mark.isPending}
            onClick={() =>
              mark.mutate(
                { invoiceIds: toSend.map((i) => i.id) },
                {
                  onSuccess: ({ marked }) => {
                    toast('ok', `${marked} duplicata${marked > 1 ? 's' : ''} noté${marked > 1 ? 's' : ''} comme envoyé${marked > 1 ? 's' : ''}.`);
                    onClose();
                  },
                },
              )
            }
            data-testid="billing-duplicates-sent"
          >
            Duplicatas envoyés à la caisse
          </Button>
        </>
      }
    >
      <p>
        Ces factures ont été refusées deux fois (ou n’ont pas reçu d’accusé de réception) : établissez pour chacune un duplicata papier de la feuille de
        soins, signé, et envoyez-le à la caisse indiquée. Gardez cette liste.
      </p>
      {list.error ? <ErrorNotice error={list.error} /> : null}
      <table className="table printable" data-testid="billing-duplicates">
        <thead>
          <tr>
            <th>Facture</th>
            <th>Date des soins</th>
            <th>Patient</th>
            <th>Montant</th>
            <th>Caisse</th>
          </tr>
        </thead>
        <tbody>
          {toSend.map((i: InvoiceView) => (
            <tr key={i.id}>
              <td>n° {i.number}</td>
              <td>{shortDate(i.careDate)}</td>
              <td>
                {i.beneficiary.surname} {i.beneficiary.givenName}
              </td>
              <td>
                {euros(i.totals.totalCents)} (AMO {euros(i.totals.amoCents)})
              </td>
              <td>{i.organism.label}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {mark.error ? <ErrorNotice error={mark.error} /> : null}
    </Dialog>
  );
}
