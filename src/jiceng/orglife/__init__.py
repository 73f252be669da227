# orglife.bulk (the demo's bulk path) still imports the checks under their old module
# name; the module is gone (core.inputs does the text policy, orglife.validators the
# app's codes). This alias goes once orglife.bulk imports validators itself.
from jiceng.orglife import validators as inputs  # noqa: F401
