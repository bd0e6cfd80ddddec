"""HTTP plumbing shared by the API and the pages: middleware, problem details, locale."""
