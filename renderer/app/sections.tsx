import type { ReactNode } from 'react';
import { BillingScreen } from '../features/billing/BillingScreen';
import { DemoPanel } from '../features/demo/DemoPanel';
import { DiagnosticScreen } from '../features/diagnostic/DiagnosticScreen';
import { DmpScreen } from '../features/dmp/DmpScreen';
import { IdentityScreen } from '../features/identity/IdentityScreen';
import { OutboxScreen } from '../features/outbox/OutboxScreen';
import { PatientScreen } from '../features/patient/PatientScreen';
import { SettingsScreen } from '../features/settings/SettingsScreen';

export interface Section {
  path: string;
  label: string;
  /** Alt+key shortcut shown in the navigation. */
  shortcut: string;
  render(): ReactNode;
  demoOnly?: boolean;
}

export const sections: Section[] = [
  { path: '/patient', label: 'Patient', shortcut: '1', render: () => <PatientScreen /> },
  { path: '/identites', label: 'Identités (INS)', shortcut: '2', render: () => <IdentityScreen /> },
  { path: '/dmp', label: 'DMP', shortcut: '3', render: () => <DmpScreen /> },
  { path: '/facturation', label: 'Facturation', shortcut: '4', render: () => <BillingScreen /> },
  { path: '/file-envoi', label: "File d'envoi", shortcut: '5', render: () => <OutboxScreen /> },
  { path: '/diagnostic', label: 'Diagnostic', shortcut: '6', render: () => <DiagnosticScreen /> },
  { path: '/parametres', label: 'Paramètres', shortcut: '7', render: () => <SettingsScreen /> },
  { path: '/demo', label: 'Démo', shortcut: '8', render: () => <DemoPanel />, demoOnly: true },
];
