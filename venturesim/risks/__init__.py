"""risks"""
