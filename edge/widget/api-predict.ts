/** Ask a soilco2 server (POST /v1/predict) instead of running the model in the page. */
import { ArtefactError } from "../../core/errors.ts";
import type { SiteRequest } from "../../core/request.ts";
import { type PredictResponse, readPredictResponse } from "../predict-response.ts";

/**
 * POST one site to `<api>/v1/predict`.
 * @throws {PredictError} with the server's message and hint when it refuses the request
 * @throws {ArtefactError} when the server cannot be reached
 * @example await predictWithApi("https://soilco2.example.org", site)
 */
export async function predictWithApi(api: string, site: SiteRequest): Promise<PredictResponse> {
  const url = new URL("v1/predict", new URL(api.replace(/\/?$/, "/"), document.baseURI));
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sites: [site] }),
    });
  } catch (cause) {
    throw new ArtefactError(url.href, "could not be reached", "check the api URL and that it allows CORS", {
      cause,
    });
  }
  return readPredictResponse(res);
}
