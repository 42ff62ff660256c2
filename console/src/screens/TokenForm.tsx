import { useState } from "preact/hooks";

/** The gateway checks tokens: the console asks for one and keeps it for this tab only (session storage). */
export function TokenForm({ onToken }: { onToken: (token: string) => void }) {
  const [value, setValue] = useState("");
  return (
    <main>
      <form
        class="card narrow"
        onSubmit={(event) => {
          event.preventDefault();
          const token = value.trim().replace(/^Bearer\s+/i, "");
          if (token.length > 0) {
            onToken(token);
          }
        }}
      >
        <h1>Sign in</h1>
        <p>This gateway needs a token (a JWT its keys sign). It stays in this tab's session storage.</p>
        <label for="token">Token</label>
        <textarea id="token" name="token" rows={5} value={value} onInput={(e) => setValue(e.currentTarget.value)} required />
        <button type="submit">Use token</button>
      </form>
    </main>
  );
}
