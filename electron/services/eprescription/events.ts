/** The service's event names (contract: electron/contract/domains/eprescription.ts). */
export type EprescriptionEventName = 'eprescription.changed';
