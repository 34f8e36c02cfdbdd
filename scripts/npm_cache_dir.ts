/**
 * Prints the directory where this Deno keeps downloaded npm packages (`npmCache` of `deno info --json`). The
 * test task adds it to the read allow-list: some packages read their own files at run time (the OpenAPI schema
 * validator loads its JSON schemas), and everything else a test reads must be inside the repository.
 */
const out = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" }).output();
if (!out.success) {
  console.error("deno info --json failed");
  Deno.exit(1);
}
console.log(JSON.parse(new TextDecoder().decode(out.stdout)).npmCache);
