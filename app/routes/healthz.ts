// GET /healthz for load balancers and orchestrators: 200 when this process and its database answer, 503 otherwise.
// No authentication and nothing about any shop in the answer.
import { databaseAnswers } from "../services/status.server";

export const loader = async () => {
  const ok = await databaseAnswers();
  return new Response(ok ? "ok\n" : "database unavailable\n", {
    status: ok ? 200 : 503,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });
};
