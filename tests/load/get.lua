-- wrk script: a plain GET of the URL given to wrk (the nginx ceiling, ashna's /healthz).
dofile(os.getenv("LOAD_DIR") .. "/common.lua")
