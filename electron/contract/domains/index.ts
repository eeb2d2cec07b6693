/**
 * One file per domain declares its methods, events and error codes; this list merges them.
 * Adding a domain: create `domains/<name>.ts`, then add one line to each object below.
 */
export const domainErrors = {} as const;

export const domainMethods = {} as const;

export const domainEvents = {} as const;
