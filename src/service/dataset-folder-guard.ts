/**
 * A file or folder written into the open dataset's image folder would be read by its next ingest as
 * one of its images (and the user's folder gains files they did not mean it to hold): every save the
 * user aims there is refused with 'inside-dataset' until they confirm it.
 */
import { ContractError, type DatasetSource, type InsideDatasetConfirmed } from '../shared/contract';
import { canonicalPath, isWithin } from './allowed-paths';

/**
 * Throws 'inside-dataset' when `path` (already canonical) lies inside the open dataset's folder and
 * the user has not confirmed; `what` names the target in the message ("the CSV file").
 */
export async function refuseInsideDataset(
  source: DatasetSource | null,
  path: string,
  what: string,
  confirmed: InsideDatasetConfirmed,
  consequence = 'the next ingest would read it as an image',
): Promise<void> {
  if (confirmed.insideDataset || source?.kind !== 'folder') return;
  const folder = await canonicalPath(source.path);
  if (!isWithin(folder, path)) return;
  throw new ContractError(
    'inside-dataset',
    `${what} "${path}" is inside the open dataset's folder ${folder}: ${consequence}. Save it elsewhere, or confirm to write it there.`,
  );
}
