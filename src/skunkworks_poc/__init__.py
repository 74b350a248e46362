"""The NHS AI Lab Skunkworks proof-of-concept toolkit: the template and the standard's machinery.

`__version__` is the one place the version is written: the wheel's metadata reads it, and so
does the template, which pins baked projects to a compatible release of the toolkit that
baked them (`skunkworks-poc~=X.Y.Z`, skunkworks_template_extensions.py).
"""

__version__ = "0.2.0"
