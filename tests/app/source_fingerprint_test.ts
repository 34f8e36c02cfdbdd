import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { sourceFingerprint } from "../../app/source_fingerprint.ts";

const write = (root: URL, rel: string, text: string) =>
  Deno.mkdir(new URL(rel.slice(0, rel.lastIndexOf("/") + 1), root), { recursive: true }).then(() =>
    Deno.writeTextFile(new URL(rel, root), text)
  );

Deno.test("sourceFingerprint: stable for the same code, changed by any byte, a rename or a new file; other files ignored", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const root = pathToFileURL(`${dir}/`);
    await write(root, "domain/a.ts", "export const a = 1;\n");
    await write(root, "routes/pages/b.tsx", "export const b = 2;\n");
    const first = await sourceFingerprint(root);
    assert.match(first ?? "", /^[0-9a-f]{12}$/);
    assert.equal(await sourceFingerprint(root), first);
    await write(root, "README.md", "not code\n");
    await write(root, "domain/notes.txt", "not code\n");
    assert.equal(await sourceFingerprint(root), first, "only .ts/.tsx under domain/ and routes/ count");
    await write(root, "domain/a.ts", "export const a = 2;\n");
    const changed = await sourceFingerprint(root);
    assert.notEqual(changed, first);
    await Deno.rename(new URL("domain/a.ts", root), new URL("domain/c.ts", root));
    const renamed = await sourceFingerprint(root);
    assert.notEqual(renamed, changed);
    await write(root, "routes/new.ts", "");
    assert.notEqual(await sourceFingerprint(root), renamed);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sourceFingerprint: a root without the folders gives null (the version alone salts)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal(await sourceFingerprint(pathToFileURL(`${dir}/`)), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
