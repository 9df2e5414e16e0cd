import type { Database } from './client.ts'
import type { Logger } from '../logger.ts'

/**
 * PGlite has no background workers, so TimescaleDB's scheduler never runs there: the embedded mode
 * runs due policy jobs (compression, retention) itself. A real server schedules them on its own.
 */
export async function runDueJobs(db: Database, log: Logger): Promise<number> {
  const due = await db.query<{ job_id: number }>(
    `SELECT j.job_id FROM timescaledb_information.jobs j
       LEFT JOIN timescaledb_information.job_stats s USING (job_id)
      WHERE j.scheduled AND j.job_id >= 1000 AND coalesce(s.next_start, '-infinity') <= now()`,
  )
  for (const { job_id } of due.rows) {
    try {
      await db.query('CALL run_job($1)', [job_id])
    } catch (err) {
      log.warn({ err, jobId: job_id }, 'maintenance job failed')
    }
  }
  return due.rows.length
}

export function startMaintenance(db: Database, log: Logger, everyMs = 60 * 60_000): () => void {
  const timer = setInterval(() => void runDueJobs(db, log).catch((err) => log.warn({ err }, 'maintenance failed')), everyMs)
  timer.unref()
  return () => clearInterval(timer)
}
