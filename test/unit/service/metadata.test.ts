import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_METADATA_COLUMNS, MAX_METADATA_FILE_BYTES, type MetadataColumn } from '../../../src/shared/contract';
import { joinMetadata } from '../../../src/service/metadata-join';
import { MetadataError, readMetadataFile } from '../../../src/service/metadata-read';

const FILES = ['cats/001.jpg', 'cats/002.jpg', 'dogs/001.jpg', 'dogs/017.png'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'metadata-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function importText(name: string, text: string, files: readonly string[] | null = FILES, count = FILES.length) {
  await writeFile(join(dir, name), text);
  return joinMetadata(await readMetadataFile(join(dir, name), name), files, count, name);
}

const column = (columns: MetadataColumn[], name: string): MetadataColumn => {
  const found = columns.find((c) => c.name === name);
  if (!found) throw new Error(`no column ${name}`);
  return found;
};

describe('metadata import', () => {
  it('joins CSV rows to the files by relative path, types each column, and counts the unmatched rows', async () => {
    const csv = [
      'path,weight,owner,note',
      'dogs/017.png,12.5,ann,a',
      'cats/001.jpg,4,bob,b',
      'birds/9.jpg,1,cy,c',
      'cats/002.jpg,,ann,d',
      'cats/001.jpg,99,zed,e',
    ].join('\n');
    const imported = await importText('pets.csv', csv);
    expect(imported).toMatchObject({ keyColumn: 'path', matchedBy: 'path', rows: 5, matchedRows: 3, unmatchedRows: 2, imageCount: 4, format: 'csv' });
    const weight = column(imported.columns, 'weight');
    expect(weight.kind).toBe('numeric');
    if (weight.kind !== 'numeric') return;
    // The first row for cats/001.jpg wins; cats/002.jpg has an empty cell; dogs/001.jpg has no row.
    expect(Array.from(weight.values).map((v) => (Number.isNaN(v) ? null : v))).toEqual([4, null, null, 12.5]);
    expect([weight.min, weight.max]).toEqual([4, 12.5]);
    const owner = column(imported.columns, 'owner');
    expect(owner.kind).toBe('category');
    if (owner.kind !== 'category') return;
    expect(owner.categories[0]).toBe('ann'); // the most common first
    expect(Array.from(owner.codes).map((c) => (c < 0 ? null : owner.categories[c]))).toEqual(['bob', 'ann', null, 'ann']);
  });

  it('matches bare file names when they are unique, and counts a name several images share as unmatched', async () => {
    const imported = await importText('names.tsv', 'score\tfile\n3\t002.jpg\n5\t017.png\n7\t001.jpg\n');
    expect(imported).toMatchObject({ keyColumn: 'file', matchedBy: 'name', matchedRows: 2, unmatchedRows: 1 });
  });

  it('picks the column that names the most images, not the most rows (a column of small numbers names few)', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `${i},${i % 5}`);
    const imported = await importText('scores.csv', ['image,score', ...rows, '999,1'].join('\n'), null, 50);
    expect(imported).toMatchObject({ keyColumn: 'image', matchedRows: 50, unmatchedRows: 1 });
  });

  it('keys a dataset without files (MNIST) by image number', async () => {
    const imported = await importText('mnist.csv', 'image,split\n0,a\n#2,b\n70000,c\n', null, 3);
    expect(imported).toMatchObject({ matchedBy: 'index', matchedRows: 2, unmatchedRows: 1 });
  });

  it('reads the same columns from a Parquet file as from the CSV', async () => {
    const bytes = parquetWriteBuffer({
      columnData: [
        { name: 'file', data: ['dogs/017.png', 'cats/001.jpg', 'nowhere.jpg'], type: 'STRING' },
        { name: 'weight', data: [12.5, 4, 1], type: 'DOUBLE' },
        { name: 'age', data: [3n, 1n, 2n], type: 'INT64' },
      ],
    });
    await writeFile(join(dir, 'pets.parquet'), new Uint8Array(bytes));
    const imported = joinMetadata(await readMetadataFile(join(dir, 'pets.parquet'), 'pets.parquet'), FILES, 4, 'pets.parquet');
    expect(imported).toMatchObject({ format: 'parquet', keyColumn: 'file', matchedRows: 2, unmatchedRows: 1 });
    const age = column(imported.columns, 'age');
    expect(age.kind === 'numeric' && Array.from(age.values).map((v) => (Number.isNaN(v) ? null : v))).toEqual([1, null, null, 3]);
  });

  it('makes a column of many distinct values text (searchable), not a category', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => `img${i}.png,caption number ${i}`);
    const files = Array.from({ length: 300 }, (_, i) => `img${i}.png`);
    const imported = await importText('captions.csv', ['file,caption', ...rows].join('\n'), files, 300);
    expect(column(imported.columns, 'caption').kind).toBe('text');
  });
});

describe('hostile metadata files', () => {
  const refusal = async (name: string): Promise<MetadataError> => {
    const err = await readMetadataFile(join(dir, name), name).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MetadataError);
    return err as MetadataError;
  };

  it('refuses a 2 GB CSV by its size, before reading it', async () => {
    const handle = await open(join(dir, 'huge.csv'), 'w');
    await handle.truncate(2 * 1024 ** 3); // sparse: no disk used, and nothing to read in time if it were read
    await handle.close();
    const err = await refusal('huge.csv');
    expect(err.message).toMatch(/huge\.csv is too large/);
    expect(err.message).toContain(String(MAX_METADATA_FILE_BYTES));
  });

  it('refuses a CSV of a million columns on its header line', async () => {
    await writeFile(join(dir, 'wide.csv'), Array.from({ length: 1_000_000 }, (_, i) => `c${i}`).join(',') + '\n' + '1,'.repeat(10) + '\n');
    const err = await refusal('wide.csv');
    expect(err.message).toBe(`wide.csv has 1,000,000 columns; at most ${MAX_METADATA_COLUMNS} are read`);
  });

  it('refuses a Parquet file whose footer is corrupt', async () => {
    const bytes = new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'file', data: ['a.png'], type: 'STRING' }] }));
    bytes.fill(0x7f, bytes.length - 40, bytes.length - 8); // the footer's metadata, before its length and magic
    await writeFile(join(dir, 'broken.parquet'), bytes);
    const err = await refusal('broken.parquet');
    expect(err.message).toMatch(/^broken\.parquet is not a readable Parquet file/);
  });

  it('says so when no row names an image of the dataset', async () => {
    const err = await importText('other.csv', 'file,x\nzebra.png,1\nyak.png,2\n').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MetadataError);
    expect((err as Error).message).toMatch(/^none of the 2 rows of other\.csv names an image of this dataset/);
  });

  it('refuses a binary file that is not a CSV', async () => {
    await writeFile(join(dir, 'photo.csv'), new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]));
    expect((await refusal('photo.csv')).message).toMatch(/not a text file/);
  });
});
