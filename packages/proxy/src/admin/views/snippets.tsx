import { CopyButton } from "./parts.js";

/** curl, Node `openai` and Python `openai` against this deployment's data plane. */
export function usageSnippets(token: string, apiBaseUrl: string) {
  const base = apiBaseUrl.replace(/\/+$/, "");
  return [
    {
      id: "curl",
      title: "curl",
      code: `curl ${base}/v1/chat/completions \\
  -H "Authorization: Bearer ${token}" \\
  -H "Content-Type: application/json" \\
  -d '{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello!"}]}'`,
    },
    {
      id: "node",
      title: "Node.js (openai)",
      code: `import OpenAI from "openai";

const client = new OpenAI({
  baseURL: "${base}/v1",
  apiKey: "${token}",
});

const completion = await client.chat.completions.create({
  model: "gpt-4o-mini",
  messages: [{ role: "user", content: "Hello!" }],
});
console.log(completion.choices[0].message.content);`,
    },
    {
      id: "python",
      title: "Python (openai)",
      code: `from openai import OpenAI

client = OpenAI(
    base_url="${base}/v1",
    api_key="${token}",
)

completion = client.chat.completions.create(
    model="gpt-4o-mini",
    messages=[{"role": "user", "content": "Hello!"}],
)
print(completion.choices[0].message.content)`,
    },
  ];
}

/** All three snippets stacked (no tabs), so the page works without JavaScript. */
export function UsageSnippets(props: { token: string; apiBaseUrl: string }) {
  return (
    <section aria-labelledby="usage-heading">
      <h2 id="usage-heading" class="h4 mb-3">
        Use it
      </h2>
      {usageSnippets(props.token, props.apiBaseUrl).map((s) => (
        <div class="card mb-3">
          <div class="card-header d-flex justify-content-between align-items-center">
            <h3 class="h6 mb-0">{s.title}</h3>
            <CopyButton target={`snippet-${s.id}`} label={`Copy the ${s.title} example`} />
          </div>
          <pre class="mb-0 p-3 snippet">
            <code id={`snippet-${s.id}`}>{s.code}</code>
          </pre>
        </div>
      ))}
    </section>
  );
}
