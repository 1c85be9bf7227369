import { openApiDocument } from "@/api/openapi";

// The same for everyone and fixed at build time: generated once, served as a static file.
export const dynamic = "force-static";

export function GET() {
  return Response.json(openApiDocument());
}
