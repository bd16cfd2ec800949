// Where the local audit log keeps its head besides the log itself, and how appends from several
// processes (or several environments in one process) are serialised.

/** The last record of the audit chain, as the store remembers it. */
export interface AuditHead {
  seq: number;
  hash: string;
}

/** Where the audit log keeps its head, besides the log itself. */
export interface AuditHeadStore {
  getAuditHead(): Promise<AuditHead | undefined>;
  setAuditHead(head: AuditHead): Promise<void>;
  /**
   * Runs `work` while holding the store's exclusive write lock, across processes; the lock is
   * released when `work` returns or throws, and by the OS when the process dies. `work` must be
   * synchronous: holding the lock across an `await` would stall every other writer.
   */
  exclusive?<T>(work: () => T): T;
  /** The head as seen inside `exclusive` (synchronous). */
  setAuditHeadSync?(head: AuditHead): void;
}
